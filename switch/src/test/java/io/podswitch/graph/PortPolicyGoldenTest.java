package io.podswitch.graph;

import static io.podswitch.graph.GoldenHarness.POD_MAC;
import static io.podswitch.graph.GoldenHarness.POD_PORT;
import static io.podswitch.graph.GoldenHarness.POD_PORT_MAC;
import static io.podswitch.graph.GoldenHarness.UPLINK;
import static io.podswitch.graph.GoldenHarness.UPLINK_MAC;
import static io.podswitch.graph.GoldenPacketTest.BROADCAST;
import static io.podswitch.graph.GoldenPacketTest.ETH_ARP;
import static io.podswitch.graph.GoldenPacketTest.ETH_IP4;
import static io.podswitch.graph.GoldenPacketTest.ETH_IP6;
import static io.podswitch.graph.GoldenPacketTest.FAR;
import static io.podswitch.graph.GoldenPacketTest.FAR6;
import static io.podswitch.graph.GoldenPacketTest.GW;
import static io.podswitch.graph.GoldenPacketTest.POD;
import static io.podswitch.graph.GoldenPacketTest.POD6;
import static io.podswitch.graph.GoldenPacketTest.assertFrame;
import static io.podswitch.graph.TestFrames.arp;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.icmp6;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.mac;
import static io.podswitch.graph.TestFrames.ndBody;
import static io.podswitch.graph.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-port policies: the pod ports' source guard (anti-spoofing) and the host port's proxy ARP/ND. */
class PortPolicyGoldenTest {
    @TempDir
    Path dir;

    private static byte[] udp4(int src) {
        return ip4Packet(src, FAR, 64, 17, 0x4000, 1, udp(1000, 2000, bytes(20, 1)));
    }

    @Test
    void guardedPodPortForwardsOnlyThePodsOwnAddresses() throws Exception {
        long other = mac("02:aa:00:00:00:99");
        GoldenHarness h = new GoldenHarness(dir).podGuard()
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, udp4(POD)))                 // own: passes
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, udp4(ip4("10.0.0.11"))))    // neighbour's IP
                .input(POD_PORT, 3, eth(POD_PORT_MAC, other, ETH_IP4, udp4(POD)))                   // forged MAC
                .input(POD_PORT, 4, eth(POD_PORT_MAC, POD_MAC, ETH_IP6,
                        ip6Packet(ip6("fd00::11"), FAR6, 64, 17, udp(1, 2, bytes(8, 2)))))         // neighbour's IPv6
                .input(POD_PORT, 5, eth(POD_PORT_MAC, POD_MAC, ETH_IP6,
                        ip6Packet(POD6, FAR6, 64, 17, udp(1, 2, bytes(8, 2)))))                    // own IPv6: passes
                .run();
        assertEquals(2, h.output(UPLINK).size());
        assertEquals(1, h.counter("ip4-input.spoofed_source"));
        assertEquals(1, h.counter("ethernet-input.spoofed_source_mac"));
        assertEquals(1, h.counter("ip6-input.spoofed_source"));
    }

    @Test
    void forgedArpAndNeighbourAdvertisementsFromAPodAreDropped() throws Exception {
        int neighbour = ip4("10.0.0.11");
        byte[] neighbour6 = ip6("fd00::11");
        byte[] na = icmp6(POD6, GoldenPacketTest.GW6, 136, 0, 0x6000_0000, ndBody(neighbour6, 2, POD_MAC));
        byte[] nsForgedLinkLayer = icmp6(POD6, GoldenPacketTest.GW6, 135, 0, 0,
                ndBody(GoldenPacketTest.GW6, 1, mac("02:aa:00:00:00:99")));
        GoldenHarness h = new GoldenHarness(dir).podGuard()
                // "10.0.0.11 is at POD_MAC": a forged reply claiming a neighbour's address
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_ARP, arp(2, POD_MAC, neighbour, POD_PORT_MAC, GW)))
                // sender MAC in the ARP body differs from the pod's
                .input(POD_PORT, 2, eth(BROADCAST, POD_MAC, ETH_ARP, arp(1, mac("02:aa:00:00:00:99"), POD, 0, GW)))
                // an honest request is still answered
                .input(POD_PORT, 3, eth(BROADCAST, POD_MAC, ETH_ARP, arp(1, POD_MAC, POD, 0, GW)))
                .input(POD_PORT, 4, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, ip6Packet(POD6, GoldenPacketTest.GW6, 255, 58, na)))
                .input(POD_PORT, 5, eth(POD_PORT_MAC, POD_MAC, ETH_IP6,
                        ip6Packet(POD6, GoldenPacketTest.GW6, 255, 58, nsForgedLinkLayer)))
                .run();
        assertEquals(2, h.counter("arp.spoofed_sender"));
        assertEquals(1, h.counter("arp.replies_sent"));
        assertEquals(2, h.counter("nd.spoofed"));
        assertEquals(1, h.output(POD_PORT).size());
    }

    @Test
    void proxyPortAnswersArpAndNeighbourSolicitationForAnyTarget() throws Exception {
        long kernel = mac("02:dd:00:00:00:01");
        int node = ip4("192.168.1.50");
        byte[] node6 = ip6("fd01::50");
        byte[] group = TestFrames.solicitedNode(POD6);
        byte[] ns = icmp6(node6, group, 135, 0, 0, ndBody(POD6, 1, kernel));
        byte[] dad = icmp6(new byte[16], TestFrames.solicitedNode(node6), 135, 0, 0, ndBody(node6, 0, -1));
        GoldenHarness h = new GoldenHarness(dir).uplinkProxy()
                .input(UPLINK, 1, eth(BROADCAST, kernel, ETH_ARP, arp(1, kernel, node, 0, POD)))
                .input(UPLINK, 2, eth(TestFrames.multicastMac(group), kernel, ETH_IP6, ip6Packet(node6, group, 255, 58, ns)))
                .input(UPLINK, 3, eth(TestFrames.multicastMac(TestFrames.solicitedNode(node6)), kernel, ETH_IP6,
                        ip6Packet(new byte[16], TestFrames.solicitedNode(node6), 255, 58, dad)))
                .run();
        assertEquals(2, h.output(UPLINK).size(), "ARP reply and NA; the DAD probe is not proxied");
        assertFrame(eth(kernel, UPLINK_MAC, ETH_ARP, arp(2, UPLINK_MAC, POD, kernel, node)), h.output(UPLINK).get(0));
        byte[] advert = h.output(UPLINK).get(1);
        assertEquals(136, advert[14 + 40] & 0xff, "neighbour advertisement");
        assertEquals(1, h.counter("nd.not_for_us"));
    }
}
