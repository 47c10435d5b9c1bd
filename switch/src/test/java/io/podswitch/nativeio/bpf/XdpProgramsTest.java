package io.podswitch.nativeio.bpf;

import static io.podswitch.nativeio.bpf.BpfInterpreter.XDP_REDIRECT;
import static io.podswitch.nativeio.bpf.XdpPrograms.XDP_PASS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The XDP programs run by a test interpreter over hand-built packets. */
class XdpProgramsTest {
    private static final int MAP_FD = 7;
    private static final Set<Integer> QUEUE_0 = Set.of(0);

    @Test
    void redirectAllEncodesTheCanonicalSequence() {
        BpfProgram p = XdpPrograms.redirectAll(MAP_FD);
        assertEquals(6, p.instructionCount());
        assertEquals("6112100000000000", p.hex(0)); // r2 = *(u32 *)(r1 + 16)   rx_queue_index
        assertEquals("1811000007000000", p.hex(1)); // r1 = map_fd(7)
        assertEquals("b703000002000000", p.hex(3)); // r3 = XDP_PASS
        assertEquals("8500000033000000", p.hex(4)); // call bpf_redirect_map
        assertEquals("9500000000000000", p.hex(5)); // exit
    }

    @Test
    void redirectAllFallsBackToPassWithoutSocket() {
        BpfInterpreter vm = new BpfInterpreter(XdpPrograms.redirectAll(MAP_FD), QUEUE_0);
        assertEquals(XDP_REDIRECT, vm.run(arp(), 0));
        assertEquals(XDP_PASS, vm.run(arp(), 1));
    }

    @Test
    void udpPortFilterTakesOnlyTheOverlayPort() throws Exception {
        BpfInterpreter vm = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, XdpFilter.udpPort(4789)), QUEUE_0);
        assertEquals(XDP_REDIRECT, vm.run(udp4("10.0.0.1", 4789, 0, 0), 0));
        assertEquals(XDP_REDIRECT, vm.run(udp4("10.0.0.1", 4789, 8, 0), 0), "IPv4 options (IHL 7)");
        assertEquals(XDP_REDIRECT, vm.run(udp6("fd00::1", 4789), 0));
        assertEquals(XDP_PASS, vm.run(udp4("10.0.0.1", 4790, 0, 0), 0));
        assertEquals(XDP_PASS, vm.run(udp6("fd00::1", 53), 0));
        assertEquals(XDP_PASS, vm.run(udp4("10.0.0.1", 4789, 0, 100), 0), "non-first fragment");
        assertEquals(XDP_PASS, vm.run(tcp4("10.0.0.1", 4789), 0));
        assertEquals(XDP_PASS, vm.run(arp(), 0));
        assertEquals(XDP_PASS, vm.run(udp4("10.0.0.1", 4789, 0, 0), 3), "queue without a socket");
    }

    @Test
    void udpPortCanBeRestrictedToTheNodesOwnAddresses() throws Exception {
        XdpFilter f = XdpFilter.udpPortTo(4789, List.of(IpPrefix.parse("192.168.1.1/32"), IpPrefix.parse("fd00::1/128")));
        BpfInterpreter vm = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, f), QUEUE_0);
        assertEquals(XDP_REDIRECT, vm.run(udp4("192.168.1.1", 4789, 0, 0), 0));
        assertEquals(XDP_REDIRECT, vm.run(udp4("192.168.1.1", 4789, 8, 0), 0), "IPv4 options (IHL 7)");
        assertEquals(XDP_PASS, vm.run(udp4("192.168.1.2", 4789, 0, 0), 0), "tunnel traffic for another host");
        assertEquals(XDP_PASS, vm.run(udp4("255.255.255.255", 4789, 0, 0), 0), "broadcast");
        assertEquals(XDP_PASS, vm.run(udp4("192.168.1.1", 4790, 0, 0), 0), "another port to our address");
        assertEquals(XDP_PASS, vm.run(tcp4("192.168.1.1", 4789), 0));
        assertEquals(XDP_REDIRECT, vm.run(udp6("fd00::1", 4789), 0));
        assertEquals(XDP_PASS, vm.run(udp6("fd00::2", 4789), 0));
        assertEquals(XDP_PASS, vm.run(arp(), 0));

        XdpFilter only4 = XdpFilter.udpPortTo(4789, List.of(IpPrefix.parse("192.168.1.1/32")));
        BpfInterpreter vm4 = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, only4), QUEUE_0);
        assertEquals(XDP_REDIRECT, vm4.run(udp4("192.168.1.1", 4789, 0, 0), 0));
        assertEquals(XDP_PASS, vm4.run(udp6("fd00::1", 4789), 0), "no IPv6 address listed: no IPv6 captured");
        for (byte[] full : List.of(udp4("192.168.1.1", 4789, 8, 0), udp6("fd00::1", 4789))) {
            for (int len = 0; len < full.length; len++) {
                int action = vm.run(Arrays.copyOf(full, len), 0); // fails on an out-of-bounds read
                assertEquals(true, action == XDP_PASS || action == XDP_REDIRECT);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> XdpFilter.udpPortTo(4789, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new XdpFilter(0, List.of(IpPrefix.parse("10.0.0.0/8")), List.of(IpPrefix.parse("10.0.0.1/32")),
                        List.of(), 0, 0));
    }

    @Test
    void prefixFilterMatchesDestinationsOfBothFamilies() throws Exception {
        XdpFilter f = XdpFilter.destinations(IpPrefix.parse("10.244.0.0/16"), IpPrefix.parse("192.168.7.9/32"),
                IpPrefix.parse("fd00:10:244::/56"), IpPrefix.parse("2001:db8::5/128"));
        BpfInterpreter vm = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, f), QUEUE_0);
        assertEquals(XDP_REDIRECT, vm.run(udp4("10.244.3.4", 1, 0, 0), 0));
        assertEquals(XDP_REDIRECT, vm.run(tcp4("10.244.255.255", 80), 0));
        assertEquals(XDP_PASS, vm.run(udp4("10.245.0.1", 1, 0, 0), 0));
        assertEquals(XDP_REDIRECT, vm.run(udp4("192.168.7.9", 1, 0, 0), 0));
        assertEquals(XDP_PASS, vm.run(udp4("192.168.7.8", 1, 0, 0), 0));
        assertEquals(XDP_REDIRECT, vm.run(udp6("fd00:10:244:ff::1", 1), 0));
        assertEquals(XDP_PASS, vm.run(udp6("fd00:10:244:100::1", 1), 0));
        assertEquals(XDP_REDIRECT, vm.run(udp6("2001:db8::5", 1), 0));
        assertEquals(XDP_PASS, vm.run(udp6("2001:db8::6", 1), 0));
        assertEquals(XDP_PASS, vm.run(arp(), 0));
    }

    @Test
    void portOrPrefix() throws Exception {
        XdpFilter f = new XdpFilter(6081, List.of(IpPrefix.parse("0.0.0.0/0")));
        BpfInterpreter vm = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, f), QUEUE_0);
        assertEquals(XDP_REDIRECT, vm.run(tcp4("8.8.8.8", 1), 0), "every IPv4 destination");
        assertEquals(XDP_REDIRECT, vm.run(udp6("fd00::1", 6081), 0));
        assertEquals(XDP_PASS, vm.run(udp6("fd00::1", 6082), 0));
    }

    @Test
    void nodePortRangeToTheNodesAddressesGoesToTheSwitch() throws Exception {
        XdpFilter f = XdpFilter.udpPort(4789).withNodePorts(List.of(IpPrefix.parse("192.168.77.11/32"),
                IpPrefix.parse("fd00:77::b/128")), 30000, 32767);
        BpfInterpreter vm = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, f), QUEUE_0);
        for (int port : new int[] {30000, 30080, 0x7f00, 32767}) { // 0x7f00: the byte order matters
            assertEquals(XDP_REDIRECT, vm.run(tcp4("192.168.77.11", port), 0), "TCP " + port);
            assertEquals(XDP_REDIRECT, vm.run(udp4("192.168.77.11", port, 0, 0), 0), "UDP " + port);
            assertEquals(XDP_REDIRECT, vm.run(tcp6("fd00:77::b", port), 0), "TCP6 " + port);
            assertEquals(XDP_REDIRECT, vm.run(udp6("fd00:77::b", port), 0), "UDP6 " + port);
        }
        assertEquals(XDP_REDIRECT, vm.run(tcp4opts("192.168.77.11", 30001), 0), "IPv4 options (IHL 7)");
        for (int port : new int[] {22, 29999, 32768, 0x3075, 4790}) { // 0x3075 = 30000 byte-swapped
            assertEquals(XDP_PASS, vm.run(tcp4("192.168.77.11", port), 0), "TCP " + port);
            assertEquals(XDP_PASS, vm.run(udp4("192.168.77.11", port, 0, 0), 0), "UDP " + port);
            assertEquals(XDP_PASS, vm.run(tcp6("fd00:77::b", port), 0), "TCP6 " + port);
            assertEquals(XDP_PASS, vm.run(udp6("fd00:77::b", port), 0), "UDP6 " + port);
        }
        assertEquals(XDP_PASS, vm.run(tcp4("192.168.77.12", 30080), 0), "another node's address");
        assertEquals(XDP_PASS, vm.run(tcp6("fd00:77::c", 30080), 0), "another node's address");
        assertEquals(XDP_PASS, vm.run(udp4("192.168.77.11", 30080, 0, 100), 0), "non-first fragment");
        assertEquals(XDP_PASS, vm.run(ip4("192.168.77.11", 1, 0, 0, 8), 0), "ICMP");
        assertEquals(XDP_PASS, vm.run(sctp6("fd00:77::b", 30080), 0), "neither TCP nor UDP");
        assertEquals(XDP_REDIRECT, vm.run(udp4("192.168.77.11", 4789, 0, 0), 0), "the tunnel port still");
        assertEquals(XDP_REDIRECT, vm.run(udp6("fd00::1", 4789), 0), "the tunnel port still");
    }

    @Test
    void nodePortsWithPrefixesAndSingleFamily() throws Exception {
        XdpFilter f = XdpFilter.destinations(IpPrefix.parse("10.244.1.0/24"))
                .withNodePorts(List.of(IpPrefix.parse("192.168.77.11/32")), 30000, 30000);
        BpfInterpreter vm = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, f), QUEUE_0);
        assertEquals(XDP_REDIRECT, vm.run(tcp4("10.244.1.9", 5), 0));
        assertEquals(XDP_REDIRECT, vm.run(tcp4("192.168.77.11", 30000), 0));
        assertEquals(XDP_PASS, vm.run(tcp4("192.168.77.11", 30001), 0));
        assertEquals(XDP_PASS, vm.run(tcp6("fd00:77::b", 30000), 0), "no IPv6 in this filter");
        XdpFilter only = new XdpFilter(0, List.of(), List.of(), List.of(IpPrefix.parse("fd00:77::b/128")), 30000, 32767);
        BpfInterpreter vm6 = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, only), QUEUE_0);
        assertEquals(XDP_REDIRECT, vm6.run(udp6("fd00:77::b", 31000), 0));
        assertEquals(XDP_PASS, vm6.run(udp4("192.168.77.11", 31000, 0, 0), 0));
    }

    @Test
    void truncatedPacketsAreNeverReadPastTheirEnd() throws Exception {
        XdpFilter f = new XdpFilter(4789, List.of(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("fd00::/8")));
        BpfInterpreter vm = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, f), QUEUE_0);
        for (byte[] full : List.of(udp4("11.0.0.1", 4789, 8, 0), udp6("fc00::1", 4789), udp4("10.1.1.1", 1, 0, 0))) {
            for (int len = 0; len < full.length; len++) {
                int action = vm.run(Arrays.copyOf(full, len), 0); // the interpreter fails on an out-of-bounds read
                assertEquals(true, action == XDP_PASS || action == XDP_REDIRECT);
            }
        }
        XdpFilter np = f.withNodePorts(List.of(IpPrefix.parse("11.0.0.1/32"), IpPrefix.parse("fc00::1/128")), 30000, 32767);
        BpfInterpreter vmNp = new BpfInterpreter(XdpPrograms.redirectMatching(MAP_FD, np), QUEUE_0);
        for (byte[] full : List.of(tcp4opts("11.0.0.1", 30000), tcp6("fc00::1", 30000), udp6("fc00::1", 30000))) {
            assertEquals(XDP_REDIRECT, vmNp.run(full, 0));
            for (int len = 0; len < full.length; len++) {
                int action = vmNp.run(Arrays.copyOf(full, len), 0);
                assertEquals(true, action == XDP_PASS || action == XDP_REDIRECT);
            }
        }
        assertEquals(XDP_PASS, vmNp.run(Arrays.copyOf(tcp4opts("11.0.0.1", 30000), 14 + 28 + 3), 0), "port cut off");
        assertEquals(XDP_PASS, vm.run(Arrays.copyOf(udp4("11.0.0.1", 4789, 8, 0), 14 + 28 + 7), 0));
    }

    private static final int ADDRESSES4 = 8;
    private static final int ADDRESSES6 = 9;

    /** What ServiceAddressMaps would hold for these (protocol, address, port) triples, as the interpreter's maps. */
    private static BpfInterpreter withServiceAddresses(BpfProgram program, Object... protocolAddressPort)
            throws Exception {
        java.util.Set<String> keys4 = new java.util.HashSet<>();
        java.util.Set<String> keys6 = new java.util.HashSet<>();
        for (int i = 0; i < protocolAddressPort.length; i += 3) {
            byte[] address = InetAddress.getByName((String) protocolAddressPort[i + 1]).getAddress();
            byte[] key = ServiceAddressMaps.key((Integer) protocolAddressPort[i], address, (Integer) protocolAddressPort[i + 2]);
            (address.length == 4 ? keys4 : keys6).add(BpfInterpreter.hex(key));
        }
        return new BpfInterpreter(program, QUEUE_0).withMap(ADDRESSES4, ServiceAddressMaps.KEY4, keys4)
                .withMap(ADDRESSES6, ServiceAddressMaps.KEY6, keys6);
    }

    @Test
    void serviceAddressesInTheMapsGoToTheSwitchAndNothingElse() throws Exception {
        XdpFilter f = XdpFilter.udpPort(4789).withNodePorts(List.of(IpPrefix.parse("192.168.77.11/32")), 30000, 32767)
                .withServiceAddresses();
        BpfInterpreter vm = withServiceAddresses(XdpPrograms.redirectMatching(MAP_FD, f, ADDRESSES4, ADDRESSES6),
                6, "203.0.113.7", 80, 17, "203.0.113.7", 0x3500, 6, "2001:db8::7", 443);
        assertEquals(XDP_REDIRECT, vm.run(tcp4("203.0.113.7", 80), 0));
        assertEquals(XDP_REDIRECT, vm.run(tcp4opts("203.0.113.7", 80), 0), "IPv4 options (IHL 7)");
        assertEquals(XDP_REDIRECT, vm.run(udp4("203.0.113.7", 0x3500, 0, 0), 0), "byte order of the port kept");
        assertEquals(XDP_REDIRECT, vm.run(tcp6("2001:db8::7", 443), 0));
        assertEquals(XDP_PASS, vm.run(udp4("203.0.113.7", 80, 0, 0), 0), "the protocol is part of the key");
        assertEquals(XDP_PASS, vm.run(tcp4("203.0.113.7", 22), 0), "ssh to the same address stays with the kernel");
        assertEquals(XDP_PASS, vm.run(udp4("203.0.113.7", 0x0035, 0, 0), 0), "port 53 is not 0x3500");
        assertEquals(XDP_PASS, vm.run(tcp4("203.0.113.8", 80), 0));
        assertEquals(XDP_PASS, vm.run(udp6("2001:db8::7", 443), 0));
        assertEquals(XDP_PASS, vm.run(tcp6("2001:db8::8", 443), 0));
        assertEquals(XDP_PASS, vm.run(udp4("203.0.113.7", 0x3500, 0, 100), 0), "non-first fragment");
        assertEquals(XDP_PASS, vm.run(ip4("203.0.113.7", 1, 0, 0, 8), 0), "ICMP");
        assertEquals(XDP_PASS, vm.run(sctp6("2001:db8::7", 443), 0));
        assertEquals(XDP_PASS, vm.run(arp(), 0));
        // The lookup clobbers r1-r5 (the interpreter poisons them): what follows still works.
        assertEquals(XDP_REDIRECT, vm.run(tcp4("192.168.77.11", 30080), 0), "node ports still");
        assertEquals(XDP_REDIRECT, vm.run(udp4("192.168.1.1", 4789, 0, 0), 0), "the tunnel port after a miss");
        assertEquals(XDP_REDIRECT, vm.run(udp6("fd00::1", 4789), 0), "the tunnel port after an IPv6 miss");
        for (byte[] full : List.of(tcp4opts("203.0.113.7", 80), tcp6("2001:db8::7", 443))) {
            for (int len = 0; len < full.length; len++) {
                int action = vm.run(Arrays.copyOf(full, len), 0); // fails on an out-of-bounds read
                assertEquals(true, action == XDP_PASS || action == XDP_REDIRECT);
            }
        }
        assertEquals(XDP_PASS, vm.run(Arrays.copyOf(tcp4opts("203.0.113.7", 80), 14 + 28 + 3), 0), "port cut off");

        // Only the service addresses: a filter of its own.
        BpfInterpreter only = withServiceAddresses(XdpPrograms.redirectMatching(MAP_FD,
                new XdpFilter(0, List.of(), List.of(), List.of(), 0, 0, true), ADDRESSES4, ADDRESSES6), 6, "198.51.100.1", 80);
        assertEquals(XDP_REDIRECT, only.run(tcp4("198.51.100.1", 80), 0));
        assertEquals(XDP_PASS, only.run(tcp4("198.51.100.1", 81), 0));
        assertThrows(IllegalArgumentException.class, () -> XdpPrograms.redirectMatching(MAP_FD, f));
    }

    @Test
    void serviceAddressKeysFollowTheMapLayout() throws Exception {
        assertEquals("cb00710700500600", BpfInterpreter.hex(ServiceAddressMaps.key(6, InetAddress.getByName("203.0.113.7")
                .getAddress(), 80)));
        assertEquals("20010db8000000000000000000000007" + "01bb" + "11" + "00", BpfInterpreter.hex(ServiceAddressMaps.key(17,
                InetAddress.getByName("2001:db8::7").getAddress(), 443)));
        assertThrows(IllegalArgumentException.class, () -> ServiceAddressMaps.key(132, new byte[4], 80));
        assertThrows(IllegalArgumentException.class, () -> ServiceAddressMaps.key(6, new byte[5], 80));
    }

    @Test
    void badFiltersAndPrefixesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new XdpFilter(0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> XdpFilter.udpPort(70000));
        List<IpPrefix> node = List.of(IpPrefix.parse("192.168.77.11/32"));
        assertThrows(IllegalArgumentException.class, () -> XdpFilter.udpPort(4789).withNodePorts(node, 32767, 30000));
        assertThrows(IllegalArgumentException.class, () -> XdpFilter.udpPort(4789).withNodePorts(node, 0, 30000));
        assertThrows(IllegalArgumentException.class, () -> XdpFilter.udpPort(4789).withNodePorts(node, 30000, 70000));
        assertThrows(IllegalArgumentException.class,
                () -> XdpFilter.udpPort(4789).withNodePorts(List.of(IpPrefix.parse("192.168.77.0/24")), 30000, 32767));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("example.com/8"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0"));
        assertEquals("10.1.0.0/16", IpPrefix.parse("10.1.2.3/16").toString());
    }

    // ---- packet builders ------------------------------------------------------------------------

    private static ByteBuffer ethernet(int etherType, int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        b.putShort((short) etherType);
        return b;
    }

    static byte[] arp() {
        ByteBuffer b = ethernet(0x0806, 28);
        return b.array();
    }

    private static byte[] ip4(String dst, int protocol, int optionBytes, int fragmentOffset, int l4) throws Exception {
        ByteBuffer b = ethernet(0x0800, 20 + optionBytes + l4);
        b.put((byte) (0x40 | (5 + optionBytes / 4))).put((byte) 0).putShort((short) (20 + optionBytes + l4));
        b.putShort((short) 1).putShort((short) fragmentOffset).put((byte) 64).put((byte) protocol).putShort((short) 0);
        b.put(new byte[] {10, 9, 9, 9}).put(InetAddress.getByName(dst).getAddress());
        b.put(new byte[optionBytes]);
        return b.array();
    }

    static byte[] udp4(String dst, int port, int optionBytes, int fragmentOffset) throws Exception {
        byte[] p = ip4(dst, 17, optionBytes, fragmentOffset, 8 + 4);
        ByteBuffer.wrap(p).putShort(14 + 20 + optionBytes, (short) 5555).putShort(14 + 20 + optionBytes + 2, (short) port);
        return p;
    }

    static byte[] tcp4(String dst, int port) throws Exception {
        byte[] p = ip4(dst, 6, 0, 0, 20);
        ByteBuffer.wrap(p).putShort(14 + 20 + 2, (short) port);
        return p;
    }

    private static byte[] tcp4opts(String dst, int port) throws Exception {
        byte[] p = ip4(dst, 6, 8, 0, 20);
        ByteBuffer.wrap(p).putShort(14 + 28 + 2, (short) port);
        return p;
    }

    private static byte[] tcp6(String dst, int port) throws Exception {
        return l4ip6(dst, 6, port, 20);
    }

    private static byte[] sctp6(String dst, int port) throws Exception {
        return l4ip6(dst, 132, port, 12);
    }

    private static byte[] l4ip6(String dst, int next, int port, int l4) throws Exception {
        ByteBuffer b = ethernet(0x86dd, 40 + l4);
        b.putInt(0x60000000).putShort((short) l4).put((byte) next).put((byte) 64);
        b.put(InetAddress.getByName("fd00::99").getAddress()).put(InetAddress.getByName(dst).getAddress());
        b.putShort((short) 5555).putShort((short) port);
        return b.array();
    }

    static byte[] udp6(String dst, int port) throws Exception {
        ByteBuffer b = ethernet(0x86dd, 40 + 8 + 4);
        b.putInt(0x60000000).putShort((short) 12).put((byte) 17).put((byte) 64);
        b.put(InetAddress.getByName("fd00::99").getAddress()).put(InetAddress.getByName(dst).getAddress());
        b.putShort((short) 5555).putShort((short) port);
        return b.array();
    }
}
