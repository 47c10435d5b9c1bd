package io.podswitch.nativeio.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.Bpf;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.XskSocket;
import io.podswitch.nativeio.XskSocketOptions;
import io.podswitch.nativeio.XskUmem;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kernel's verifier accepts the switch's XDP programs and explains why it refuses a bad one. */
@Tag("privileged")
class XdpProgramLoadTest {
    private int mapFd = -1;

    @BeforeEach
    void createMap() {
        mapFd = Bpf.createXskMap("test_xsks", 4);
    }

    @AfterEach
    void closeMap() {
        Bpf.close(mapFd);
    }

    @Test
    void redirectAllLoads() {
        Bpf.close(Bpf.loadXdpProgram(XdpPrograms.redirectAll(mapFd)));
    }

    @Test
    void filteredVariantsLoad() {
        List<XdpFilter> filters = List.of(
                XdpFilter.udpPort(4789),
                XdpFilter.udpPortTo(4789, List.of(IpPrefix.parse("192.168.1.1/32"), IpPrefix.parse("fd00::1/128"))),
                XdpFilter.udpPortTo(6081, List.of(IpPrefix.parse("fd00::1/128"))),
                XdpFilter.destinations(IpPrefix.parse("10.244.0.0/16")),
                XdpFilter.destinations(IpPrefix.parse("fd00:10:244::/56"), IpPrefix.parse("2001:db8::1/128")),
                new XdpFilter(6081, List.of(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("10.1.2.0/23"),
                        IpPrefix.parse("fd00::/7"), IpPrefix.parse("::/0"))),
                XdpFilter.udpPort(4789).withNodePorts(List.of(IpPrefix.parse("192.168.77.11/32"),
                        IpPrefix.parse("fd00:77::b/128"), IpPrefix.parse("10.0.0.1/32")), 30000, 32767),
                XdpFilter.destinations(IpPrefix.parse("10.244.1.0/24"), IpPrefix.parse("fd00:10:244:1::/64"))
                        .withNodePorts(List.of(IpPrefix.parse("fd00:77::b/128")), 30000, 32767),
                new XdpFilter(0, List.of(IpPrefix.parse("0.0.0.0/0")), List.of(), List.of(IpPrefix.parse("192.168.77.11/32"),
                        IpPrefix.parse("fd00:77::b/128")), 30000, 30000));
        for (XdpFilter f : filters) {
            int fd = Bpf.loadXdpProgram(XdpPrograms.redirectMatching(mapFd, f));
            assertTrue(fd > 0, f.toString());
            Bpf.close(fd);
        }
    }

    @Test
    void serviceAddressLookupsLoadAndTheMapsTakeUpdates() throws Exception {
        try (ServiceAddressMaps maps = ServiceAddressMaps.create("test_svc")) {
            for (XdpFilter f : List.of(
                    XdpFilter.udpPort(4789).withNodePorts(List.of(IpPrefix.parse("192.168.77.11/32"),
                            IpPrefix.parse("fd00:77::b/128")), 30000, 32767).withServiceAddresses(),
                    XdpFilter.destinations(IpPrefix.parse("10.244.1.0/24")).withServiceAddresses(),
                    new XdpFilter(0, List.of(), List.of(), List.of(), 0, 0, true))) {
                int fd = Bpf.loadXdpProgram(XdpPrograms.redirectMatching(mapFd, f, maps.ipv4MapFd(), maps.ipv6MapFd()));
                assertTrue(fd > 0, f.toString());
                Bpf.close(fd);
            }
            byte[] v4 = java.net.InetAddress.getByName("203.0.113.7").getAddress();
            byte[] v6 = java.net.InetAddress.getByName("2001:db8::7").getAddress();
            maps.add(6, v4, 80);
            maps.add(6, v4, 80); // idempotent
            maps.add(17, v6, 53);
            maps.remove(6, v4, 80);
            maps.remove(6, v4, 80); // already gone: not an error
            maps.remove(17, v6, 53);
        }
    }

    @Test
    void refusedProgramCarriesTheVerifierLog() {
        // Reads r2 before anything wrote it; the verifier says "R2 !read_ok".
        BpfProgram bad = new BpfAssembler()
                .load(BpfAssembler.WORD, BpfAssembler.R0, BpfAssembler.R2, 0)
                .exit()
                .assemble("bad_prog", XdpPrograms.LICENSE);
        NativeException e = assertThrows(NativeException.class, () -> Bpf.loadXdpProgram(bad));
        assertTrue(e.getMessage().contains("BPF_PROG_LOAD on 'bad_prog'"), e.getMessage());
        assertTrue(e.getMessage().contains("verifier log"), e.getMessage());
        assertTrue(e.getMessage().contains("R2 !read_ok"), e.getMessage());
    }

    @Test
    void socketsGoIntoAndOutOfTheXskMap() {
        try (Arena arena = Arena.ofShared()) {
            XskUmem umem = new XskUmem(arena.allocate(64 * 2048, 4096), 2048, 0);
            XskSocketOptions small = XskSocketOptions.defaults().withRingSizes(64, 64, 64, 64);
            try (XskSocket socket = XskSocket.open(umem, "lo", 0, small)) {
                Bpf.updateElement(mapFd, 0, socket.fd(), "xskmap[0]");
                Bpf.deleteElement(mapFd, 0, "xskmap[0]");
                // Beyond max_entries (4): the kernel refuses, and the exception names the entry.
                NativeException e = assertThrows(NativeException.class, () -> Bpf.updateElement(mapFd, 4, socket.fd(), "xskmap[4]"));
                assertEquals(Errno.E2BIG, e.errno(), e.getMessage());
                e = assertThrows(NativeException.class, () -> Bpf.deleteElement(mapFd, 4, "xskmap[4]"));
                assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
            }
        }
    }

    @Test
    void mapUpdateWithANonSocketIsRefusedPrecisely() {
        NativeException e = assertThrows(NativeException.class, () -> Bpf.updateElement(mapFd, 0, mapFd, "xskmap[0]"));
        assertTrue(e.getMessage().startsWith("BPF_MAP_UPDATE_ELEM on 'xskmap[0]'"), e.getMessage());
    }
}
