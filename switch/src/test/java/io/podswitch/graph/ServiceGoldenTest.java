package io.podswitch.graph;

import io.podswitch.packet.FrameSlab;
import io.podswitch.service.ServiceEndpoint;
import io.podswitch.service.ServiceKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.podswitch.graph.ServiceFrames.ACK;
import static io.podswitch.graph.ServiceFrames.PSH;
import static io.podswitch.graph.ServiceFrames.RST;
import static io.podswitch.graph.ServiceFrames.SYN;
import static io.podswitch.graph.ServiceFrames.assertChecksumsValid;
import static io.podswitch.graph.ServiceFrames.tcp4;
import static io.podswitch.graph.ServiceFrames.tcp6;
import static io.podswitch.graph.ServiceFrames.udp4;
import static io.podswitch.graph.ServiceFrames.udp6;
import static io.podswitch.graph.ServiceHarness.POD2_MAC;
import static io.podswitch.graph.ServiceHarness.POD_MAC;
import static io.podswitch.graph.ServiceHarness.POD_PORT;
import static io.podswitch.graph.ServiceHarness.POD_PORT_MAC;
import static io.podswitch.graph.ServiceHarness.ROUTER_MAC;
import static io.podswitch.graph.ServiceHarness.UPLINK;
import static io.podswitch.graph.ServiceHarness.UPLINK_MAC;
import static io.podswitch.graph.ServiceHarness.ep4;
import static io.podswitch.graph.ServiceHarness.ep6;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service stage on golden frames: every expected frame is built independently with checksums computed
 * from scratch, compared byte for byte, and every output's checksums are verified again from scratch.
 * Forward packets run on worker 0 (pod port), replies from the uplink on worker 1, so every reply crosses
 * workers.
 */
class ServiceGoldenTest {
    static final int ETH4 = 0x0800;
    static final int ETH6 = 0x86dd;
    static final int POD = ip4("10.0.0.10");
    static final int POD2 = ip4("10.0.0.20");
    static final int VIP = ip4("10.96.0.10");
    static final int BACKEND = ip4("172.16.0.5");
    static final int HAIRPIN = ip4("169.254.42.1");
    static final byte[] POD6 = ip6("fd00::10");
    static final byte[] VIP6 = ip6("fd96::10");
    static final byte[] BACKEND6 = ip6("2001:db8::5");

    final ServiceHarness h = new ServiceHarness();

    @AfterEach
    void close() {
        h.close();
    }

    static byte[] fromPod(byte[] ip) {
        return eth(POD_PORT_MAC, POD_MAC, (ip[0] >>> 4) == 4 ? ETH4 : ETH6, ip);
    }

    static byte[] toPod(byte[] ip) {
        return eth(POD_MAC, POD_PORT_MAC, (ip[0] >>> 4) == 4 ? ETH4 : ETH6, ip);
    }

    static byte[] fromRouter(byte[] ip) {
        return eth(UPLINK_MAC, ROUTER_MAC, (ip[0] >>> 4) == 4 ? ETH4 : ETH6, ip);
    }

    static byte[] toRouter(byte[] ip) {
        return eth(ROUTER_MAC, UPLINK_MAC, (ip[0] >>> 4) == 4 ? ETH4 : ETH6, ip);
    }

    static void expect(byte[] expected, byte[] actual) {
        assertChecksumsValid(actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void tcp4IsDnatedAndTheReplyFromAnotherWorkerUnDnated() {
        h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080)));
        byte[] data = bytes(33, 1);
        expect(toRouter(tcp4(POD, BACKEND, 63, 40000, 8080, SYN, 1000, 0, new byte[0])),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 40000, 80, SYN, 1000, 0, new byte[0])), UPLINK));
        expect(toPod(tcp4(VIP, POD, 63, 80, 40000, SYN | ACK, 5000, 1001, data)),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp4(BACKEND, POD, 64, 8080, 40000, SYN | ACK, 5000, 1001, data)),
                        POD_PORT));
        expect(toRouter(tcp4(POD, BACKEND, 63, 40000, 8080, ACK | PSH, 1001, 5034, data)),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 40000, 80, ACK | PSH, 1001, 5034, data)), UPLINK));
        assertEquals(2, h.counter(0, "ip4-service.dnat"));
        assertEquals(1, h.counter(1, "ip4-service.un_nat"));
        assertEquals(1, h.counter(0, "service.new_flows"));
        assertEquals(1, h.counter(0, "service.pinned"));
        assertEquals(1, h.counter(1, "service.replies"));
        assertEquals(3, h.table.counters().get(0, io.podswitch.service.ServiceCounters.PACKETS));
        assertEquals(1, h.table.counters().get(0, io.podswitch.service.ServiceCounters.NEW_CONNECTIONS));
    }

    @Test
    void udp4WithAndWithoutChecksum() {
        h.put(0, 17, "10.96.0.10", 53, List.of(ep4("172.16.0.5", 5353)));
        for (boolean checksummed : new boolean[] {true, false}) {
            int sport = checksummed ? 1111 : 2222;
            byte[] data = bytes(41, sport);
            byte[] out = h.sendExpectOne(0, POD_PORT, fromPod(udp4(POD, VIP, 64, sport, 53, data, checksummed)), UPLINK);
            expect(toRouter(udp4(POD, BACKEND, 63, sport, 5353, data, checksummed)), out);
            expect(toPod(udp4(VIP, POD, 63, 53, sport, data, checksummed)),
                    h.sendExpectOne(1, UPLINK, fromRouter(udp4(BACKEND, POD, 64, 5353, sport, data, checksummed)), POD_PORT));
        }
    }

    @Test
    void tcp6AndUdp6AreTranslatedBothWays() {
        h.put(0, 6, "fd96::10", 443, List.of(ep6("2001:db8::5", 8443)));
        h.put(1, 17, "fd96::10", 53, List.of(ep6("2001:db8::5", 5353)));
        byte[] data = bytes(27, 9);
        expect(toRouter(tcp6(POD6, BACKEND6, 63, 40000, 8443, SYN, 7, 0, data)),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp6(POD6, VIP6, 64, 40000, 443, SYN, 7, 0, data)), UPLINK));
        expect(toPod(tcp6(VIP6, POD6, 63, 443, 40000, SYN | ACK, 9, 8, data)),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp6(BACKEND6, POD6, 64, 8443, 40000, SYN | ACK, 9, 8, data)), POD_PORT));
        expect(toRouter(udp6(POD6, BACKEND6, 63, 3000, 5353, data)),
                h.sendExpectOne(0, POD_PORT, fromPod(udp6(POD6, VIP6, 64, 3000, 53, data)), UPLINK));
        expect(toPod(udp6(VIP6, POD6, 63, 53, 3000, data)),
                h.sendExpectOne(1, UPLINK, fromRouter(udp6(BACKEND6, POD6, 64, 5353, 3000, data)), POD_PORT));
        assertEquals(2, h.counter(0, "ip6-service.dnat"));
        assertEquals(2, h.counter(1, "ip6-service.un_nat"));
    }

    /**
     * The client ends a service connection and opens one straight to the backend with the same source
     * port: the old flow's translated tuple now belongs to the direct connection, whose replies must
     * reach the client from the backend's own address, not from the VIP.
     */
    @Test
    void aDirectConnectionReusingATranslatedTupleIsNotUnNated() {
        h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080)));
        h.put(1, 6, "fd96::10", 443, List.of(ep6("2001:db8::5", 8443)));
        byte[] none = new byte[0];
        h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 40000, 80, SYN, 1000, 0, none)), UPLINK);
        h.sendExpectOne(1, UPLINK, fromRouter(tcp4(BACKEND, POD, 64, 8080, 40000, SYN | ACK, 5000, 1001, none)),
                POD_PORT);
        h.sendExpectOne(0, POD_PORT, fromPod(tcp6(POD6, VIP6, 64, 40000, 443, SYN, 7, 0, none)), UPLINK);

        // New direct connections on the same tuples (received by the other worker: any worker's SYN counts).
        expect(toRouter(tcp4(POD, BACKEND, 63, 40000, 8080, SYN, 9000, 0, none)),
                h.sendExpectOne(1, POD_PORT, fromPod(tcp4(POD, BACKEND, 64, 40000, 8080, SYN, 9000, 0, none)), UPLINK));
        expect(toPod(tcp4(BACKEND, POD, 63, 8080, 40000, SYN | ACK, 7000, 9001, none)),
                h.sendExpectOne(0, UPLINK, fromRouter(tcp4(BACKEND, POD, 64, 8080, 40000, SYN | ACK, 7000, 9001, none)),
                        POD_PORT));
        expect(toRouter(tcp6(POD6, BACKEND6, 63, 40000, 8443, SYN, 70, 0, none)),
                h.sendExpectOne(1, POD_PORT, fromPod(tcp6(POD6, BACKEND6, 64, 40000, 8443, SYN, 70, 0, none)), UPLINK));
        expect(toPod(tcp6(BACKEND6, POD6, 63, 8443, 40000, SYN | ACK, 90, 71, none)),
                h.sendExpectOne(0, UPLINK, fromRouter(tcp6(BACKEND6, POD6, 64, 8443, 40000, SYN | ACK, 90, 71, none)),
                        POD_PORT));
        assertEquals(2, h.counter(1, "service.superseded"));

        // A new connection to the VIP on the same tuple is a service flow again, translated both ways.
        expect(toRouter(tcp4(POD, BACKEND, 63, 40000, 8080, SYN, 11000, 0, none)),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 40000, 80, SYN, 11000, 0, none)), UPLINK));
        expect(toPod(tcp4(VIP, POD, 63, 80, 40000, SYN | ACK, 12000, 11001, none)),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp4(BACKEND, POD, 64, 8080, 40000, SYN | ACK, 12000, 11001, none)),
                        POD_PORT));
    }

    /** A TAP frame with NEEDS_CSUM holds only the pseudo-header sum: it must stay a correct partial sum. */
    @Test
    void partialChecksumFramesStayCorrect() {
        h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080)));
        h.put(1, 6, "fd96::10", 80, List.of(ep6("2001:db8::5", 8080)));
        byte[] data = bytes(100, 3);
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] full = v6 ? fromPod(tcp6(POD6, VIP6, 64, 40001, 80, ACK, 1, 1, data))
                    : fromPod(tcp4(POD, VIP, 64, 40001, 80, ACK, 1, 1, data));
            int l4 = 14 + (v6 ? 40 : 20);
            int len = full.length - l4;
            long pseudo = v6 ? TestFrames.pseudo6(POD6, VIP6, len, 6) : ServiceFrames.pseudo4(POD, VIP, 6, len);
            while ((pseudo >>> 16) != 0) {
                pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
            }
            byte[] partial = full.clone();
            partial[l4 + 16] = (byte) (pseudo >>> 8);
            partial[l4 + 17] = (byte) pseudo;
            int frame = h.pool.poll();
            FrameSlab slab = h.slab;
            MemorySegment.copy(MemorySegment.ofArray(partial), 0, slab.memory(), slab.dataStart(frame), partial.length);
            slab.setLength(frame, partial.length);
            slab.setChecksumOffload(frame, FrameSlab.NEEDS_CSUM, l4, 16);
            assertTrue(h.pod.injectFrame(0, frame));
            List<ServiceHarness.Out> out = h.send(0, POD_PORT, new byte[0]);
            // (the empty frame injected by send is dropped by ethernet-input as too short)
            assertEquals(1, out.size());
            expect(v6 ? toRouter(tcp6(POD6, BACKEND6, 63, 40001, 8080, ACK, 1, 1, data))
                    : toRouter(tcp4(POD, BACKEND, 63, 40001, 8080, ACK, 1, 1, data)), out.get(0).frame());
        }
    }

    @Test
    void icmpErrorFromTheBackendGetsItsInnerHeaderTranslated() {
        h.put(0, 17, "10.96.0.10", 53, List.of(ep4("172.16.0.5", 5353)));
        byte[] data = bytes(20, 4);
        byte[] sent = h.sendExpectOne(0, POD_PORT, fromPod(udp4(POD, VIP, 64, 1234, 53, data, true)), UPLINK);
        byte[] quote = java.util.Arrays.copyOfRange(sent, 14, sent.length);
        byte[] error = TestFrames.ip4Packet(BACKEND, POD, 64, 1, 0x4000, 7, TestFrames.icmp4(3, 3, 0, quote));
        byte[] expectedQuote = udp4(POD, VIP, 63, 1234, 53, data, true);
        expect(toPod(TestFrames.ip4Packet(VIP, POD, 63, 1, 0x4000, 7, TestFrames.icmp4(3, 3, 0, expectedQuote))),
                h.sendExpectOne(1, UPLINK, fromRouter(error), POD_PORT));
        assertEquals(1, h.counter(1, "ip4-service.icmp_un_nat"));
    }

    @Test
    void icmp6ErrorFromTheBackendGetsItsInnerHeaderTranslated() {
        h.put(0, 17, "fd96::10", 53, List.of(ep6("2001:db8::5", 5353)));
        byte[] data = bytes(20, 4);
        byte[] sent = h.sendExpectOne(0, POD_PORT, fromPod(udp6(POD6, VIP6, 64, 1234, 53, data)), UPLINK);
        byte[] quote = java.util.Arrays.copyOfRange(sent, 14, sent.length);
        byte[] error = TestFrames.ip6Packet(BACKEND6, POD6, 64, 58, TestFrames.icmp6(BACKEND6, POD6, 1, 4, 0, quote));
        byte[] expectedQuote = udp6(POD6, VIP6, 63, 1234, 53, data);
        expect(toPod(TestFrames.ip6Packet(VIP6, POD6, 63, 58, TestFrames.icmp6(VIP6, POD6, 1, 4, 0, expectedQuote))),
                h.sendExpectOne(1, UPLINK, fromRouter(error), POD_PORT));
        assertEquals(1, h.counter(1, "ip6-service.icmp_un_nat"));
    }

    /**
     * The switch's own "fragmentation needed" / "packet too big" about a DNATed packet (the uplink MTU is
     * 1400) quotes the translated header; the pod must get the header it sent, or PMTU discovery breaks.
     */
    @Test
    void theSwitchsOwnErrorsAboutDnatedPacketsQuoteTheOriginalHeader() {
        h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080)));
        h.put(1, 6, "fd96::10", 80, List.of(ep6("2001:db8::5", 8080)));
        byte[] big = bytes(1400, 5);
        byte[] original = tcp4(POD, VIP, 64, 40000, 80, ACK, 1, 1, big);
        byte[] error = h.sendExpectOne(0, POD_PORT, fromPod(original), POD_PORT);
        assertChecksumsValid(error);
        assertEquals(3, error[34]);
        assertEquals(4, error[35]);
        assertEquals(ServiceHarness.UPLINK_MTU, ByteBuffer.wrap(error, 40, 2).getShort());
        // The quote is the packet as the pod sent it (TTL not yet decremented), cut to fit 576 bytes.
        assertArrayEquals(java.util.Arrays.copyOf(original, 576 - 28), java.util.Arrays.copyOfRange(error, 42, error.length));
        assertEquals(1, h.counter(0, "ip4-service.icmp_un_nat"));

        byte[] original6 = tcp6(POD6, VIP6, 64, 40000, 80, ACK, 1, 1, big);
        byte[] error6 = h.sendExpectOne(0, POD_PORT, fromPod(original6), POD_PORT);
        assertChecksumsValid(error6);
        assertEquals(2, error6[54]);
        assertArrayEquals(java.util.Arrays.copyOf(original6, 1280 - 48),
                java.util.Arrays.copyOfRange(error6, 62, error6.length));
        assertEquals(1, h.counter(0, "ip6-service.icmp_un_nat"));
    }

    @Test
    void hairpinIsSnatedToTheHairpinAddressAndBack() {
        h.put(0, 6, "10.96.0.10", 80, List.of(ep4("10.0.0.10", 8080)));
        expect(toPod(tcp4(HAIRPIN, POD, 63, 40000, 8080, SYN, 1, 0, new byte[0])),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 40000, 80, SYN, 1, 0, new byte[0])), POD_PORT));
        expect(toPod(tcp4(VIP, POD, 63, 80, 40000, SYN | ACK, 9, 2, new byte[0])),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, HAIRPIN, 64, 8080, 40000, SYN | ACK, 9, 2, new byte[0])),
                        POD_PORT));
        assertEquals(1, h.counter(0, "service.hairpin"));

        byte[] hairpin6 = ip6("fd68:6169:7270:696e::1");
        h.put(1, 6, "fd96::10", 80, List.of(ep6("fd00::10", 8080)));
        expect(toPod(tcp6(hairpin6, POD6, 63, 40000, 8080, SYN, 1, 0, new byte[0])),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp6(POD6, VIP6, 64, 40000, 80, SYN, 1, 0, new byte[0])), POD_PORT));
        expect(toPod(tcp6(VIP6, POD6, 63, 80, 40000, SYN | ACK, 9, 2, new byte[0])),
                h.sendExpectOne(1, POD_PORT, fromPod(tcp6(POD6, hairpin6, 64, 8080, 40000, SYN | ACK, 9, 2, new byte[0])),
                        POD_PORT));
    }

    /**
     * Two services with the same endpoint; the client reuses its port for the second while the first flow
     * still lives: the second flow's reverse key would clash, so its source port is translated (address
     * kept), and each reply is un-NATed as its own service's.
     */
    @Test
    void aClientPortReusedForAnotherServiceWithTheSameEndpointGetsAnotherPort() {
        h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080)));
        h.put(1, 6, "10.96.0.11", 80, List.of(ep4("172.16.0.5", 8080)));
        int other = ip4("10.96.0.11");
        expect(toRouter(tcp4(POD, BACKEND, 63, 40000, 8080, SYN, 1, 0, new byte[0])),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 40000, 80, SYN, 1, 0, new byte[0])), UPLINK));
        byte[] second = h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, other, 64, 40000, 80, SYN, 7, 0, new byte[0])),
                UPLINK);
        assertChecksumsValid(second);
        ByteBuffer b = ByteBuffer.wrap(second);
        assertEquals(POD, b.getInt(26), "the client's address kept");
        assertEquals(BACKEND, b.getInt(30));
        int port = b.getShort(34) & 0xffff;
        assertTrue(port != 40000 && port >= 1024, "another source port: " + port);
        assertEquals(1, h.counter(0, "service.snat_conflict"));
        expect(toPod(tcp4(other, POD, 63, 80, 40000, SYN | ACK, 9, 8, new byte[0])),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp4(BACKEND, POD, 64, 8080, port, SYN | ACK, 9, 8, new byte[0])),
                        POD_PORT));
        expect(toPod(tcp4(VIP, POD, 63, 80, 40000, SYN | ACK, 3, 2, new byte[0])),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp4(BACKEND, POD, 64, 8080, 40000, SYN | ACK, 3, 2, new byte[0])),
                        POD_PORT));
        // The second flow's next packets keep the port it was given.
        byte[] next = h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, other, 64, 40000, 80, ACK, 8, 10, new byte[0])),
                UPLINK);
        assertEquals(port, ByteBuffer.wrap(next).getShort(34) & 0xffff);
    }

    @Test
    void clientIpAffinityKeepsAClientOnOneBackend() {
        h.put(0, ServiceKind.CLUSTER_IP, 6, "10.96.0.10", 80,
                List.of(ep4("172.16.0.5", 80), ep4("172.16.0.6", 80), ep4("172.16.0.7", 80)), false, 10_800_000_000_000L);
        h.put(1, 6, "10.96.0.11", 80, List.of(ep4("172.16.0.5", 80), ep4("172.16.0.6", 80), ep4("172.16.0.7", 80)));
        Map<Integer, Integer> withAffinity = new HashMap<>();
        Map<Integer, Integer> without = new HashMap<>();
        for (int port = 20000; port < 20060; port++) {
            withAffinity.merge(destination(h.sendExpectOne(0, POD_PORT,
                    fromPod(tcp4(POD, VIP, 64, port, 80, SYN, 1, 0, new byte[0])), UPLINK)), 1, Integer::sum);
            without.merge(destination(h.sendExpectOne(0, POD_PORT,
                    fromPod(tcp4(POD, ip4("10.96.0.11"), 64, port, 80, SYN, 1, 0, new byte[0])), UPLINK)), 1, Integer::sum);
        }
        assertEquals(1, withAffinity.size(), "all of one client's connections on one backend: " + withAffinity);
        assertEquals(3, without.size(), "without affinity the connections spread: " + without);
        assertEquals(59, h.counter(0, "service.affinity_hits"));
    }

    static int destination(byte[] frame) {
        return ByteBuffer.wrap(frame, 30, 4).getInt();
    }

    @Test
    void noBackendTcpGetsARstFromTheVip() {
        h.put(0, 6, "10.96.0.10", 80, List.of());
        byte[] rst = h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 40000, 80, SYN, 1000, 0, new byte[0])), POD_PORT);
        byte[] segment = ServiceFrames.tcpSegment(80, 40000, RST | ACK, 0, 1001, new byte[0]);
        segment[14] = 0;
        segment[15] = 0; // window 0
        int c = TestFrames.checksum(segment, 0, 20, ServiceFrames.pseudo4(VIP, POD, 6, 20));
        segment[16] = (byte) (c >>> 8);
        segment[17] = (byte) c;
        expect(toPod(TestFrames.ip4Packet(VIP, POD, 64, 6, 0x4000, 0, segment)), rst);
        assertEquals(1, h.counter(0, "ip4-service.no_backend_rst"));
        assertEquals(1, h.table.counters().get(0, io.podswitch.service.ServiceCounters.NO_BACKEND));
        // A segment with ACK gets <SEQ=SEG.ACK><CTL=RST>; a RST gets nothing.
        byte[] rst2 = h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 40000, 80, ACK, 5, 777, new byte[0])), POD_PORT);
        assertChecksumsValid(rst2);
        assertEquals(777, ByteBuffer.wrap(rst2, 38, 4).getInt());
        assertEquals(RST, rst2[47]);
        assertEquals(0, h.send(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 40000, 80, RST, 5, 0, new byte[0]))).size());
        assertEquals(1, h.counter(0, "ip4-service.no_backend_reset_dropped"));

        h.put(1, 6, "fd96::10", 80, List.of());
        byte[] rst6 = h.sendExpectOne(0, POD_PORT, fromPod(tcp6(POD6, VIP6, 64, 40000, 80, SYN, 1000, 0, new byte[0])),
                POD_PORT);
        assertChecksumsValid(rst6);
        assertArrayEquals(VIP6, java.util.Arrays.copyOfRange(rst6, 22, 38));
        assertEquals(RST | ACK, rst6[14 + 40 + 13]);
        assertEquals(1001, ByteBuffer.wrap(rst6, 14 + 40 + 8, 4).getInt());
    }

    @Test
    void noBackendUdpGetsPortUnreachable() {
        h.put(0, 17, "10.96.0.10", 53, List.of());
        byte[] ip = udp4(POD, VIP, 64, 1234, 53, bytes(10, 1), true);
        byte[] error = h.sendExpectOne(0, POD_PORT, fromPod(ip), POD_PORT);
        assertChecksumsValid(error);
        assertEquals(1, error[23]); // ICMP
        assertEquals(ip4("10.0.0.1"), ByteBuffer.wrap(error, 26, 4).getInt());
        assertEquals(3, error[34]);
        assertEquals(3, error[35]);
        assertArrayEquals(ip, java.util.Arrays.copyOfRange(error, 42, error.length));
        assertEquals(1, h.counter(0, "ip4-service.no_backend_unreachable"));

        h.put(1, 17, "fd96::10", 53, List.of());
        byte[] error6 = h.sendExpectOne(0, POD_PORT, fromPod(udp6(POD6, VIP6, 64, 1234, 53, bytes(10, 1))), POD_PORT);
        assertChecksumsValid(error6);
        assertEquals(58, error6[20]);
        assertEquals(1, error6[54]);
        assertEquals(4, error6[55]);
    }

    @Test
    void fullConntrackFallsBackToStatelessMaglev() {
        try (ServiceHarness small = new ServiceHarness(8)) {
            small.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 80), ep4("172.16.0.6", 80)));
            for (int port = 1000; port < 1040; port++) {
                byte[] out = small.sendExpectOne(0, POD_PORT,
                        fromPod(tcp4(POD, VIP, 64, port, 80, SYN, 1, 0, new byte[0])), UPLINK);
                assertChecksumsValid(out);
            }
            assertTrue(small.counter(0, "service.conntrack_full") >= 32, "full counted");
            assertEquals(40, small.counter(0, "ip4-service.dnat"));
        }
    }

    @Test
    void nodePortToALocalBackendKeepsTheClientAddress() {
        int client = ip4("172.16.9.9");
        int node = ip4("192.168.1.1");
        h.put(0, ServiceKind.NODE_PORT, 6, "0.0.0.0", 30080, List.of(ep4("10.0.0.20", 8080)), false, 0);
        byte[] out = h.sendExpectOne(1, UPLINK, fromRouter(tcp4(client, node, 64, 5555, 30080, SYN, 1, 0, new byte[0])),
                POD_PORT);
        expect(eth(POD2_MAC, POD_PORT_MAC, ETH4, tcp4(client, POD2, 63, 5555, 8080, SYN, 1, 0, new byte[0])), out);
        byte[] reply = eth(POD_PORT_MAC, POD2_MAC, ETH4, tcp4(POD2, client, 64, 8080, 5555, SYN | ACK, 3, 2, new byte[0]));
        expect(toRouter(tcp4(node, client, 63, 30080, 5555, SYN | ACK, 3, 2, new byte[0])),
                h.sendExpectOne(0, POD_PORT, reply, UPLINK));
    }

    @Test
    void nodePortToARemoteBackendIsSnatedToTheNode() {
        int client = ip4("172.16.9.9");
        int node = ip4("192.168.1.1");
        h.put(0, ServiceKind.NODE_PORT, 6, "0.0.0.0", 30080, List.of(ep4("172.16.0.5", 8080)), false, 0);
        expect(toRouter(tcp4(node, BACKEND, 63, 5555, 8080, SYN, 1, 0, new byte[0])),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp4(client, node, 64, 5555, 30080, SYN, 1, 0, new byte[0])), UPLINK));
        expect(toRouter(tcp4(node, client, 63, 30080, 5555, SYN | ACK, 3, 2, new byte[0])),
                h.sendExpectOne(0, UPLINK, fromRouter(tcp4(BACKEND, node, 64, 8080, 5555, SYN | ACK, 3, 2, new byte[0])),
                        UPLINK));
        assertEquals(1, h.counter(1, "service.node_port_snat"));
        // externalTrafficPolicy: Local with only a remote endpoint: dropped and counted.
        h.put(1, ServiceKind.NODE_PORT, 6, "0.0.0.0", 30081, List.of(ep4("172.16.0.5", 8080)), true, 0);
        assertEquals(0, h.send(1, UPLINK, fromRouter(tcp4(client, node, 64, 5556, 30081, SYN, 1, 0, new byte[0]))).size());
        assertEquals(1, h.counter(1, "ip4-service.no_local_backend"));
        // A node port is only served on the node's uplink addresses: to the pod port's address it is
        // ordinary traffic for the switch (ip4-local drops TCP).
        assertEquals(0, h.send(0, POD_PORT, fromPod(tcp4(POD, ip4("10.0.0.1"), 64, 5557, 30080, SYN, 1, 0,
                new byte[0]))).size());
        assertEquals(0, h.counter(0, "ip4-service.dnat"));
        assertEquals(1, h.counter(0, "ip4-local.unsupported_protocol"));
    }

    /**
     * A pod reaching a node port on its own node's (uplink) address is served in the switch, as kube-proxy
     * serves it: short-circuited to every endpoint (even with externalTrafficPolicy Local and no local
     * endpoint), its address kept; the reply comes back from the node address and port.
     */
    @Test
    void aPodReachesANodePortOnItsOwnNodesAddress() {
        int node = ip4("192.168.1.1");
        h.put(0, ServiceKind.NODE_PORT, 6, "0.0.0.0", 30080, List.of(ep4("172.16.0.5", 8080)), true, 0);
        expect(toRouter(tcp4(POD, BACKEND, 63, 41000, 8080, SYN, 1, 0, new byte[0])),
                h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, node, 64, 41000, 30080, SYN, 1, 0, new byte[0])), UPLINK));
        expect(toPod(tcp4(node, POD, 63, 30080, 41000, SYN | ACK, 3, 2, new byte[0])),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp4(BACKEND, POD, 64, 8080, 41000, SYN | ACK, 3, 2, new byte[0])),
                        POD_PORT));
        assertEquals(0, h.counter(0, "service.node_port_snat"));
        byte[] ipv6Node = ip6("fd01::1");
        h.put(1, ServiceKind.NODE_PORT, 17, "::", 30053, List.of(ep6("2001:db8::5", 53)), false, 0);
        byte[] data = bytes(8, 3);
        expect(toRouter(udp6(POD6, BACKEND6, 63, 4444, 53, data)),
                h.sendExpectOne(0, POD_PORT, fromPod(udp6(POD6, ipv6Node, 64, 4444, 30053, data)), UPLINK));
        expect(toPod(udp6(ipv6Node, POD6, 63, 30053, 4444, data)),
                h.sendExpectOne(1, UPLINK, fromRouter(udp6(BACKEND6, POD6, 64, 53, 4444, data)), POD_PORT));
    }

    /**
     * Two external clients with the same source port reach one remote backend through the node port on
     * two uplink queues (two workers): both flows are SNATed to the node address, so the second, on the
     * other worker, must take another port or the backend's replies could not tell them apart.
     */
    @Test
    void nodePortClientsOnTwoWorkersWithTheSamePortGetDistinctSnatPorts() {
        int first = ip4("172.16.9.9");
        int second = ip4("172.16.9.10");
        int node = ip4("192.168.1.1");
        h.put(0, ServiceKind.NODE_PORT, 6, "0.0.0.0", 30080, List.of(ep4("172.16.0.5", 8080)), false, 0);
        expect(toRouter(tcp4(node, BACKEND, 63, 5555, 8080, SYN, 1, 0, new byte[0])),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp4(first, node, 64, 5555, 30080, SYN, 1, 0, new byte[0])), UPLINK));
        byte[] out = h.sendExpectOne(0, UPLINK, fromRouter(tcp4(second, node, 64, 5555, 30080, SYN, 1, 0, new byte[0])),
                UPLINK);
        int port = ByteBuffer.wrap(out).getShort(34) & 0xffff;
        assertTrue(port != 5555, "another SNAT port on the other worker");
        assertEquals(1, h.counter(0, "service.snat_conflict"));
        expect(toRouter(tcp4(node, second, 63, 30080, 5555, SYN | ACK, 3, 2, new byte[0])),
                h.sendExpectOne(1, UPLINK, fromRouter(tcp4(BACKEND, node, 64, 8080, port, SYN | ACK, 3, 2, new byte[0])),
                        UPLINK));
        expect(toRouter(tcp4(node, first, 63, 30080, 5555, SYN | ACK, 3, 2, new byte[0])),
                h.sendExpectOne(0, UPLINK, fromRouter(tcp4(BACKEND, node, 64, 8080, 5555, SYN | ACK, 3, 2, new byte[0])),
                        UPLINK));
    }

    @Test
    void nodePortOverIpv6() {
        byte[] client = ip6("2001:db8:9::9");
        byte[] node = ip6("fd01::1");
        h.put(0, ServiceKind.NODE_PORT, 17, "::", 30053, List.of(ep6("2001:db8::5", 53)), false, 0);
        byte[] data = bytes(12, 2);
        expect(toRouter(udp6(node, BACKEND6, 63, 4444, 53, data)),
                h.sendExpectOne(1, UPLINK, fromRouter(udp6(client, node, 64, 4444, 30053, data)), UPLINK));
        expect(toRouter(udp6(node, client, 63, 30053, 4444, data)),
                h.sendExpectOne(0, UPLINK, fromRouter(udp6(BACKEND6, node, 64, 53, 4444, data)), UPLINK));
    }
}
