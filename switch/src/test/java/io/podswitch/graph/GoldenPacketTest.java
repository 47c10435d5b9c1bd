package io.podswitch.graph;

import io.podswitch.packet.Ip6;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static io.podswitch.graph.GoldenHarness.FIXED_POD_MAC;
import static io.podswitch.graph.GoldenHarness.POD_MAC;
import static io.podswitch.graph.GoldenHarness.POD_PORT;
import static io.podswitch.graph.GoldenHarness.POD_PORT_MAC;
import static io.podswitch.graph.GoldenHarness.ROUTER_MAC;
import static io.podswitch.graph.GoldenHarness.UPLINK;
import static io.podswitch.graph.GoldenHarness.UPLINK_MAC;
import static io.podswitch.graph.TestFrames.arp;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.checksum;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.icmp4;
import static io.podswitch.graph.TestFrames.icmp6;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.mac;
import static io.podswitch.graph.TestFrames.ndBody;
import static io.podswitch.graph.TestFrames.slice;
import static io.podswitch.graph.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input pcap → graph → output pcap, compared field by field with frames built independently by
 * {@link TestFrames} (whose checksums are computed from scratch), and parsed again by tshark when it
 * is installed.
 */
class GoldenPacketTest {
    static final long BROADCAST = 0xffff_ffff_ffffL;
    static final int ETH_IP4 = 0x0800;
    static final int ETH_IP6 = 0x86dd;
    static final int ETH_ARP = 0x0806;
    static final int POD = ip4("10.0.0.10");
    static final int GW = ip4("10.0.0.1");
    static final int FAR = ip4("172.16.5.5");
    static final byte[] POD6 = ip6("fd00::10");
    static final byte[] GW6 = ip6("fd00::1");
    static final byte[] FAR6 = ip6("2001:db8::5");

    @TempDir
    Path dir;

    static void assertFrame(byte[] expected, byte[] actual) {
        assertEquals(Dissector.fields(expected), Dissector.fields(actual));
        assertArrayEquals(expected, actual);
    }

    static void assertIp4ChecksumValid(byte[] frame) {
        int hl = (frame[14] & 0xf) * 4;
        assertEquals(0, checksum(frame, 14, hl, 0), "IPv4 header checksum recomputed from scratch");
    }

    static byte[] withTos(byte[] ipPacket, int tos) {
        byte[] p = ipPacket.clone();
        p[1] = (byte) tos;
        p[10] = 0;
        p[11] = 0;
        int c = checksum(p, 0, (p[0] & 0xf) * 4, 0);
        p[10] = (byte) (c >>> 8);
        p[11] = (byte) c;
        return p;
    }

    static List<List<String>> tshark(Path pcap, String... fields) throws Exception {
        return Tshark.fields(pcap, fields);
    }

    @Test
    void arpRequestForGatewayIsAnsweredAndSenderLearned() throws Exception {
        long asker = mac("02:aa:00:00:00:11");
        int askerIp = ip4("10.0.0.11");
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(BROADCAST, asker, ETH_ARP, arp(1, asker, askerIp, 0, GW)))
                .run();
        assertEquals(1, h.output(POD_PORT).size());
        assertFrame(eth(asker, POD_PORT_MAC, ETH_ARP, arp(2, POD_PORT_MAC, GW, asker, askerIp)),
                h.output(POD_PORT).getFirst());
        assertEquals(0, h.output(UPLINK).size());
        assertEquals(1, h.counter("arp.replies_sent"));
        int slot = h.graph.neighbors().find4(POD_PORT, askerIp);
        assertTrue(slot >= 0, "sender learned");
        assertEquals(asker, h.graph.neighbors().ip4().mac(slot));
        if (Tshark.available()) {
            assertEquals(List.of(List.of("2", "02:00:00:00:00:01", "10.0.0.1", "02:aa:00:00:00:11", "10.0.0.11")),
                    tshark(h.outputFiles[POD_PORT], "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4",
                            "arp.dst.hw_mac", "arp.dst.proto_ipv4"));
        }
    }

    @Test
    void arpRequestForSomeoneElseIsDroppedAndCounted() throws Exception {
        long asker = mac("02:aa:00:00:00:11");
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(BROADCAST, asker, ETH_ARP, arp(1, asker, ip4("10.0.0.11"), 0, ip4("10.0.0.99"))))
                .run();
        assertEquals(0, h.output(POD_PORT).size());
        assertEquals(1, h.counter("arp.request_not_for_us"));
        assertTrue(h.graph.neighbors().find4(POD_PORT, ip4("10.0.0.11")) < 0, "not learned from a request for another");
    }

    @Test
    void neighbourSolicitationIsAnsweredWithAdvertisement() throws Exception {
        long asker = mac("02:aa:00:00:00:11");
        byte[] askerIp = ip6("fd00::11");
        byte[] group = TestFrames.solicitedNode(GW6);
        byte[] ns = icmp6(askerIp, group, 135, 0, 0, ndBody(GW6, 1, asker));
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(TestFrames.multicastMac(group), asker, ETH_IP6, ip6Packet(askerIp, group, 255, 58, ns)))
                .run();
        byte[] na = icmp6(GW6, askerIp, 136, 0, 0xe000_0000, ndBody(GW6, 2, POD_PORT_MAC));
        assertEquals(1, h.output(POD_PORT).size());
        assertFrame(eth(asker, POD_PORT_MAC, ETH_IP6, ip6Packet(GW6, askerIp, 255, 58, na)), h.output(POD_PORT).getFirst());
        assertEquals(1, h.counter("nd.advertisements_sent"));
        ByteBuffer a = ByteBuffer.wrap(askerIp);
        int slot = h.graph.neighbors().ip6().find(POD_PORT, a.getLong(0), a.getLong(8));
        assertTrue(slot >= 0, "solicitor learned from its source link-layer option");
        assertEquals(asker, h.graph.neighbors().ip6().mac(slot));
        if (Tshark.available()) {
            assertEquals(List.of(List.of("136", "1", "1", "fd00::1", "02:00:00:00:00:01")),
                    tshark(h.outputFiles[POD_PORT], "icmpv6.type", "icmpv6.checksum.status",
                            "icmpv6.nd.na.flag.s", "icmpv6.nd.na.target_address", "icmpv6.opt.linkaddr"));
        }
    }

    @Test
    void duplicateAddressDetectionProbeIsDefendedNotLearned() throws Exception {
        long asker = mac("02:aa:00:00:00:11");
        byte[] unspecified = ip6("::");
        byte[] group = TestFrames.solicitedNode(GW6);
        byte[] ns = icmp6(unspecified, group, 135, 0, 0, ndBody(GW6, 1, -1));
        byte[] badNs = icmp6(unspecified, group, 135, 0, 0, ndBody(GW6, 1, asker)); // DAD with an option: invalid
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(TestFrames.multicastMac(group), asker, ETH_IP6, ip6Packet(unspecified, group, 255, 58, ns)))
                .input(POD_PORT, 2, eth(TestFrames.multicastMac(group), asker, ETH_IP6, ip6Packet(unspecified, group, 255, 58, badNs)))
                .run();
        byte[] allNodes = ip6("ff02::1");
        byte[] na = icmp6(GW6, allNodes, 136, 0, 0xa000_0000, ndBody(GW6, 2, POD_PORT_MAC));
        assertEquals(1, h.output(POD_PORT).size());
        assertFrame(eth(mac("33:33:00:00:00:01"), POD_PORT_MAC, ETH_IP6, ip6Packet(GW6, allNodes, 255, 58, na)),
                h.output(POD_PORT).getFirst());
        assertEquals(1, h.counter("nd.dad_defended"));
        assertEquals(1, h.counter("nd.bad_dad"));
        assertEquals(0, h.graph.neighbors().ip6().size() - 2, "only the two static entries");
    }

    @Test
    void neighbourSolicitationWithBadChecksumOrHopLimitIsDropped() throws Exception {
        long asker = mac("02:aa:00:00:00:11");
        byte[] askerIp = ip6("fd00::11");
        byte[] group = TestFrames.solicitedNode(GW6);
        byte[] ns = icmp6(askerIp, group, 135, 0, 0, ndBody(GW6, 1, asker));
        byte[] corrupt = ns.clone();
        corrupt[3] ^= 1;
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(TestFrames.multicastMac(group), asker, ETH_IP6, ip6Packet(askerIp, group, 255, 58, corrupt)))
                .input(POD_PORT, 2, eth(TestFrames.multicastMac(group), asker, ETH_IP6, ip6Packet(askerIp, group, 254, 58, ns)))
                .run();
        assertEquals(0, h.output(POD_PORT).size());
        assertEquals(1, h.counter("nd.bad_checksum"));
        assertEquals(1, h.counter("nd.bad_hop_limit"));
    }

    @Test
    void ip4ForwardDecrementsTtlAndRewritesMacs() throws Exception {
        byte[] payload = udp(1234, 53, bytes(40, 3));
        byte[] options = {1, 1, 1, 0}; // NOP NOP NOP EOL: options pass through
        byte[] withOptions = ip4Packet(POD, FAR, 64, 17, 0x4000, 7, options, payload);
        byte[] small = ip4Packet(POD, FAR, 9, 17, 0, 8, udp(1, 2, bytes(2, 1)));
        byte[] fragment = ip4Packet(POD, FAR, 64, 17, 0x2000 | 185, 9, bytes(24, 6)); // MF, offset 1480: as is
        byte[] padded = TestFrames.concat(eth(POD_PORT_MAC, POD_MAC, ETH_IP4, small), new byte[60 - 14 - small.length]);
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, ip4Packet(POD, FAR, 64, 17, 0x4000, 6, payload)))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, withOptions))
                .input(POD_PORT, 3, padded)
                .input(POD_PORT, 4, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, fragment))
                .run();
        List<byte[]> out = h.output(UPLINK);
        assertEquals(4, out.size());
        assertFrame(eth(ROUTER_MAC, UPLINK_MAC, ETH_IP4, ip4Packet(POD, FAR, 63, 17, 0x2000 | 185, 9, bytes(24, 6))),
                out.get(3));
        assertFrame(eth(ROUTER_MAC, UPLINK_MAC, ETH_IP4, ip4Packet(POD, FAR, 63, 17, 0x4000, 6, payload)), out.get(0));
        assertFrame(eth(ROUTER_MAC, UPLINK_MAC, ETH_IP4, ip4Packet(POD, FAR, 63, 17, 0x4000, 7, options, payload)),
                out.get(1));
        assertFrame(eth(ROUTER_MAC, UPLINK_MAC, ETH_IP4, ip4Packet(POD, FAR, 8, 17, 0, 8, udp(1, 2, bytes(2, 1)))),
                out.get(2));
        for (byte[] f : out) {
            assertIp4ChecksumValid(f);
        }
        if (Tshark.available()) {
            assertEquals(List.of(List.of("63", "1"), List.of("63", "1"), List.of("8", "1"), List.of("63", "1")),
                    tshark(h.outputFiles[UPLINK], "ip.ttl", "ip.checksum.status"));
        }
    }

    @Test
    void ip4ForwardToRewriteAdjacencyUsesItsMac() throws Exception {
        int dst = ip4("10.0.5.5");
        byte[] payload = udp(1, 2, bytes(10, 0));
        GoldenHarness h = new GoldenHarness(dir)
                .input(UPLINK, 1, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, dst, 30, 17, 0, 1, payload)))
                .run();
        assertEquals(1, h.output(POD_PORT).size());
        assertFrame(eth(FIXED_POD_MAC, POD_PORT_MAC, ETH_IP4, ip4Packet(FAR, dst, 29, 17, 0, 1, payload)),
                h.output(POD_PORT).getFirst());
    }

    @Test
    void ip6ForwardDecrementsHopLimit() throws Exception {
        byte[] payload = udp(1234, 53, bytes(40, 3));
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, ip6Packet(POD6, FAR6, 64, 17, payload)))
                .input(UPLINK, 2, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP6, ip6Packet(FAR6, POD6, 2, 17, payload)))
                .run();
        assertEquals(1, h.output(UPLINK).size());
        assertFrame(eth(ROUTER_MAC, UPLINK_MAC, ETH_IP6, ip6Packet(POD6, FAR6, 63, 17, payload)), h.output(UPLINK).getFirst());
        assertEquals(1, h.output(POD_PORT).size());
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP6, ip6Packet(FAR6, POD6, 1, 17, payload)), h.output(POD_PORT).getFirst());
        if (Tshark.available()) {
            assertEquals(List.of(List.of("63", "2001:db8::5")), tshark(h.outputFiles[UPLINK], "ipv6.hlim", "ipv6.dst"));
        }
    }

    @Test
    void ttlOneGivesTimeExceeded() throws Exception {
        byte[] original = ip4Packet(POD, FAR, 1, 17, 0, 42, udp(1234, 33434, bytes(20, 5)));
        byte[] original6 = ip6Packet(POD6, FAR6, 1, 17, udp(1234, 33434, bytes(20, 5)));
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, original))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, original6))
                .run();
        List<byte[]> out = h.output(POD_PORT);
        assertEquals(2, out.size());
        byte[] error = withTos(ip4Packet(GW, POD, 64, 1, 0, 0, icmp4(11, 0, 0, original)), 0xc0);
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP4, error), out.get(0));
        assertIp4ChecksumValid(out.get(0));
        byte[] error6 = ip6Packet(GW6, POD6, 64, 58, icmp6(GW6, POD6, 3, 0, 0, original6));
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP6, error6), out.get(1));
        assertEquals(1, h.counter("ip4-rewrite.ttl_expired"));
        assertEquals(1, h.counter("ip6-rewrite.hop_limit_expired"));
        assertEquals(0, h.output(UPLINK).size());
        if (Tshark.available()) {
            List<List<String>> rows = tshark(h.outputFiles[POD_PORT], "icmp.type", "icmp.code", "icmp.checksum.status",
                    "ip.src", "icmpv6.type", "icmpv6.code", "icmpv6.checksum.status", "ipv6.src");
            assertEquals(List.of("11", "0", "1", "10.0.0.1", "", "", "", ""), rows.get(0));
            assertEquals(List.of("", "", "", "", "3", "0", "1", "fd00::1"), rows.get(1));
        }
    }

    @Test
    void unknownDestinationGivesUnreachable() throws Exception {
        byte[] noRoute = ip4Packet(POD, ip4("203.0.113.9"), 64, 17, 0, 1, udp(1, 2, bytes(8, 0)));
        byte[] dropRoute = ip4Packet(POD, ip4("10.99.1.1"), 64, 17, 0, 2, udp(1, 2, bytes(8, 0)));
        byte[] noRoute6 = ip6Packet(POD6, ip6("2001:db9::1"), 64, 17, udp(1, 2, bytes(8, 0)));
        byte[] dropRoute6 = ip6Packet(POD6, ip6("2001:db8:dead::1"), 64, 17, udp(1, 2, bytes(8, 0)));
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, noRoute))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, dropRoute))
                .input(POD_PORT, 3, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, noRoute6))
                .input(POD_PORT, 4, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, dropRoute6))
                .run();
        List<byte[]> out = h.output(POD_PORT);
        assertEquals(4, out.size());
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP4, withTos(ip4Packet(GW, POD, 64, 1, 0, 0, icmp4(3, 0, 0, noRoute)), 0xc0)),
                out.get(0));
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP4, withTos(ip4Packet(GW, POD, 64, 1, 0, 0, icmp4(3, 1, 0, dropRoute)), 0xc0)),
                out.get(1));
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP6, ip6Packet(GW6, POD6, 64, 58, icmp6(GW6, POD6, 1, 0, 0, noRoute6))),
                out.get(2));
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP6, ip6Packet(GW6, POD6, 64, 58, icmp6(GW6, POD6, 1, 3, 0, dropRoute6))),
                out.get(3));
        assertEquals(1, h.counter("ip4-lookup.no_route"));
        assertEquals(1, h.counter("ip4-lookup.drop_route"));
        assertEquals(1, h.counter("ip6-lookup.no_route"));
        assertEquals(1, h.counter("ip6-lookup.drop_route"));
        assertEquals(2, h.counter("icmp4-error.sent"));
        assertEquals(2, h.counter("icmp6-error.sent"));
    }

    /**
     * ip4-input reads every field out of three words of the header: each check sees its own field
     * (each packet below is wrong in one field only, with a right checksum unless the checksum is the point).
     */
    @Test
    void everyIp4InputCheckReadsItsOwnField() throws Exception {
        byte[] payload = udp(1, 2, bytes(20, 0));
        byte[] badHeaderLength = ip4Packet(POD, FAR, 64, 17, 0, 1, payload);
        badHeaderLength[0] = 0x44; // IHL 4: 16 bytes
        byte[] badLength = ip4Packet(POD, FAR, 64, 17, 0, 1, payload);
        badLength[2] = 0;
        badLength[3] = 19; // total length shorter than the header
        byte[] martian = ip4Packet(ip4("127.0.0.1"), FAR, 64, 17, 0, 1, payload);
        byte[] multicast = ip4Packet(POD, ip4("224.0.0.5"), 64, 17, 0, 1, payload);
        byte[] broadcast = ip4Packet(POD, ip4("255.255.255.255"), 64, 17, 0, 1, payload);
        byte[] ttlZero = ip4Packet(POD, FAR, 0, 17, 0, 1, payload);
        byte[] badOptions = ip4Packet(POD, FAR, 64, 17, 0x4000, 7, new byte[] {1, 1, 1, 0}, payload);
        badOptions[21] ^= 0x10; // an option byte: only the sum over the whole 24-byte header sees it
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, badHeaderLength))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, badLength))
                .input(POD_PORT, 3, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, martian))
                .input(POD_PORT, 4, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, multicast))
                .input(POD_PORT, 5, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, broadcast))
                .input(POD_PORT, 6, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, ttlZero))
                .input(POD_PORT, 7, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, badOptions))
                .run();
        assertEquals(0, h.output(POD_PORT).size());
        assertEquals(0, h.output(UPLINK).size());
        assertEquals(1, h.counter("ip4-input.bad_header_length"));
        assertEquals(1, h.counter("ip4-input.bad_length"));
        assertEquals(1, h.counter("ip4-input.martian_source"));
        assertEquals(2, h.counter("ip4-input.multicast_not_routed"));
        assertEquals(1, h.counter("ip4-input.ttl_zero"));
        assertEquals(1, h.counter("ip4-input.bad_checksum"));
        assertEquals(0, h.counter("icmp4-error.sent"), "no ICMP errors for malformed input");
    }

    @Test
    void malformedPacketsAreDroppedWithTheirReason() throws Exception {
        byte[] good = ip4Packet(POD, FAR, 64, 17, 0, 1, udp(1, 2, bytes(20, 0)));
        byte[] badChecksum = good.clone();
        badChecksum[11] ^= 0x40;
        byte[] badVersion = good.clone();
        badVersion[0] = 0x55;
        byte[] truncated = slice(good, 0, good.length - 5); // total length says more than the frame has
        byte[] shortHeader = slice(good, 0, 12);
        byte[] good6 = ip6Packet(POD6, FAR6, 64, 17, udp(1, 2, bytes(20, 0)));
        byte[] badVersion6 = good6.clone();
        badVersion6[0] = 0x40;
        byte[] truncated6 = slice(good6, 0, good6.length - 1);
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, badChecksum))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, badVersion))
                .input(POD_PORT, 3, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, truncated))
                .input(POD_PORT, 4, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, shortHeader))
                .input(POD_PORT, 5, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, badVersion6))
                .input(POD_PORT, 6, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, truncated6))
                .input(POD_PORT, 7, slice(eth(POD_PORT_MAC, POD_MAC, ETH_IP4, good), 0, 10))
                .input(POD_PORT, 8, TestFrames.vlanEth(POD_PORT_MAC, POD_MAC, 5, ETH_IP4, good))
                .input(POD_PORT, 9, eth(mac("02:99:99:99:99:99"), POD_MAC, ETH_IP4, good))
                .input(POD_PORT, 10, eth(POD_PORT_MAC, POD_MAC, 0x88b5, good))
                .run();
        assertEquals(0, h.output(POD_PORT).size());
        assertEquals(0, h.output(UPLINK).size());
        assertEquals(1, h.counter("ip4-input.bad_checksum"));
        assertEquals(1, h.counter("ip4-input.bad_version"));
        assertEquals(1, h.counter("ip4-input.truncated"));
        assertEquals(1, h.counter("ip4-input.too_short"));
        assertEquals(1, h.counter("ip6-input.bad_version"));
        assertEquals(1, h.counter("ip6-input.truncated"));
        assertEquals(1, h.counter("ethernet-input.too_short"));
        assertEquals(1, h.counter("ethernet-input.vlan_tagged"));
        assertEquals(1, h.counter("ethernet-input.not_for_us"));
        assertEquals(1, h.counter("ethernet-input.unknown_ethertype"));
        assertEquals(0, h.counter("icmp4-error.sent"), "no ICMP errors for malformed input");
    }

    @Test
    void oversizeWithDontFragmentGivesFragmentationNeeded() throws Exception {
        byte[] big = ip4Packet(POD, FAR, 64, 17, 0x4000, 9, udp(1, 2, bytes(1450 - 28, 1)));
        byte[] bigNoDf = ip4Packet(POD, FAR, 64, 17, 0, 10, udp(1, 2, bytes(1450 - 28, 1)));
        byte[] big6 = ip6Packet(POD6, FAR6, 64, 17, udp(1, 2, bytes(1450 - 48, 1)));
        byte[] fits = ip4Packet(POD, FAR, 64, 17, 0x4000, 11, udp(1, 2, bytes(1400 - 28, 1)));
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, big))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, bigNoDf))
                .input(POD_PORT, 3, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, big6))
                .input(POD_PORT, 4, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, fits))
                .run();
        List<byte[]> out = h.output(POD_PORT);
        assertEquals(2, out.size());
        byte[] quoted = slice(big, 0, 576 - 28);
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP4,
                withTos(ip4Packet(GW, POD, 64, 1, 0, 0, icmp4(3, 4, GoldenHarness.UPLINK_MTU, quoted)), 0xc0)), out.get(0));
        byte[] quoted6 = slice(big6, 0, 1280 - 48);
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP6,
                ip6Packet(GW6, POD6, 64, 58, icmp6(GW6, POD6, 2, 0, GoldenHarness.UPLINK_MTU, quoted6))), out.get(1));
        assertEquals(1, h.counter("ip4-rewrite.mtu_exceeded"));
        assertEquals(1, h.counter("ip4-rewrite.fragmentation_not_supported"));
        assertEquals(1, h.counter("ip6-rewrite.mtu_exceeded"));
        assertEquals(1, h.output(UPLINK).size(), "a packet of exactly the MTU passes");
        if (Tshark.available()) {
            assertEquals(List.of("3", "4", "1400", "1"),
                    tshark(h.outputFiles[POD_PORT], "icmp.type", "icmp.code", "icmp.mtu", "icmp.checksum.status").get(0));
            assertEquals(List.of("2", "1400", "1"),
                    tshark(h.outputFiles[POD_PORT], "icmpv6.type", "icmpv6.mtu", "icmpv6.checksum.status").get(1));
        }
    }

    @Test
    void echoToGatewayGetsReply() throws Exception {
        byte[] echo = icmp4(8, 0, 0x1234_0001, bytes(32, 9));
        byte[] request = ip4Packet(POD, GW, 64, 1, 0x4000, 77, echo);
        byte[] echoUplink = icmp4(8, 0, 0x1234_0002, bytes(32, 9));
        byte[] requestUplink = ip4Packet(POD, ip4("192.168.1.1"), 1, 1, 0, 78, echoUplink); // TTL 1 is fine for us
        byte[] echo6 = icmp6(POD6, GW6, 128, 0, 0x1234_0003, bytes(24, 2));
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, request))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, requestUplink))
                .input(POD_PORT, 3, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, ip6Packet(POD6, GW6, 64, 58, echo6)))
                .run();
        List<byte[]> out = h.output(POD_PORT);
        assertEquals(3, out.size());
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP4, ip4Packet(GW, POD, 64, 1, 0x4000, 77,
                icmp4(0, 0, 0x1234_0001, bytes(32, 9)))), out.get(0));
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP4, ip4Packet(ip4("192.168.1.1"), POD, 64, 1, 0, 78,
                icmp4(0, 0, 0x1234_0002, bytes(32, 9)))), out.get(1));
        assertFrame(eth(POD_MAC, POD_PORT_MAC, ETH_IP6, ip6Packet(GW6, POD6, 64, 58,
                icmp6(GW6, POD6, 129, 0, 0x1234_0003, bytes(24, 2)))), out.get(2));
        assertEquals(2, h.counter("ip4-local.echo_replies"));
        assertEquals(1, h.counter("ip6-local.echo_replies"));
        if (Tshark.available()) {
            List<List<String>> rows = tshark(h.outputFiles[POD_PORT], "icmp.type", "icmp.checksum.status", "icmpv6.type",
                    "icmpv6.checksum.status");
            assertEquals(List.of("0", "1", "", ""), rows.get(0));
            assertEquals(List.of("", "", "129", "1"), rows.get(2));
        }
    }

    @Test
    void otherLocalTrafficIsDroppedAndCounted() throws Exception {
        byte[] udpToGw = ip4Packet(POD, GW, 64, 17, 0, 1, udp(1, 2, bytes(4, 0)));
        byte[] badEcho = icmp4(8, 0, 1, bytes(8, 0));
        badEcho[5] ^= 1;
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, udpToGw))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, ip4Packet(POD, GW, 64, 1, 0, 2, badEcho)))
                .run();
        assertEquals(0, h.output(POD_PORT).size());
        assertEquals(1, h.counter("ip4-local.unsupported_protocol"));
        assertEquals(1, h.counter("ip4-local.bad_icmp_checksum"));
    }

    @Test
    void unresolvedNextHopWaitsForArpAndIsReleased() throws Exception {
        int unknown = ip4("10.0.0.20");
        long unknownMac = mac("02:aa:00:00:00:20");
        byte[] payload = udp(5, 6, bytes(30, 4));
        GoldenHarness h = new GoldenHarness(dir)
                .input(UPLINK, 1, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, unknown, 20, 17, 0, 1, payload)))
                .input(UPLINK, 2, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, unknown, 20, 17, 0, 2, payload)))
                .input(POD_PORT, 100, eth(POD_PORT_MAC, unknownMac, ETH_ARP, arp(2, unknownMac, unknown, POD_PORT_MAC, GW)))
                .input(UPLINK, 200, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, unknown, 20, 17, 0, 3, payload)))
                .run();
        List<byte[]> out = h.output(POD_PORT);
        assertEquals(4, out.size(), "one ARP request (rate limited), then the three packets");
        assertFrame(eth(BROADCAST, POD_PORT_MAC, ETH_ARP, arp(1, POD_PORT_MAC, GW, 0, unknown)), out.get(0));
        for (int i = 1; i <= 3; i++) {
            assertFrame(eth(unknownMac, POD_PORT_MAC, ETH_IP4, ip4Packet(FAR, unknown, 19, 17, 0, i, payload)), out.get(i));
        }
        assertEquals(2, h.counter("ip4-neighbor.held"));
        assertEquals(2, h.counter("ip4-neighbor.released"));
        assertEquals(1, h.counter("ip4-neighbor.requests_sent"));
    }

    @Test
    void unresolvedIp6NextHopWaitsForAdvertisement() throws Exception {
        byte[] unknown = ip6("fd00::20");
        long unknownMac = mac("02:aa:00:00:00:20");
        byte[] payload = udp(5, 6, bytes(30, 4));
        byte[] na = icmp6(unknown, GW6, 136, 0, 0x6000_0000, ndBody(unknown, 2, unknownMac));
        GoldenHarness h = new GoldenHarness(dir)
                .input(UPLINK, 1, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP6, ip6Packet(FAR6, unknown, 20, 17, payload)))
                .input(POD_PORT, 100, eth(POD_PORT_MAC, unknownMac, ETH_IP6, ip6Packet(unknown, GW6, 255, 58, na)))
                .run();
        List<byte[]> out = h.output(POD_PORT);
        assertEquals(2, out.size());
        byte[] group = TestFrames.solicitedNode(unknown);
        byte[] linkLocal = ip6("fe80::1");
        byte[] ns = icmp6(linkLocal, group, 135, 0, 0, ndBody(unknown, 1, POD_PORT_MAC));
        assertFrame(eth(TestFrames.multicastMac(group), POD_PORT_MAC, ETH_IP6, ip6Packet(linkLocal, group, 255, 58, ns)),
                out.get(0));
        assertFrame(eth(unknownMac, POD_PORT_MAC, ETH_IP6, ip6Packet(FAR6, unknown, 19, 17, payload)), out.get(1));
        if (Tshark.available()) {
            assertEquals(List.of("135", "1", "fd00::20"), tshark(h.outputFiles[POD_PORT], "icmpv6.type",
                    "icmpv6.checksum.status", "icmpv6.nd.ns.target_address").get(0));
        }
    }

    @Test
    void unansweredResolutionTimesOutAndRetransmitsAtMostOncePerSecond() throws Exception {
        int unknown = ip4("10.0.0.30");
        byte[] p = ip4Packet(FAR, unknown, 20, 17, 0, 1, udp(5, 6, bytes(4, 4)));
        GoldenHarness h = new GoldenHarness(dir);
        for (int i = 0; i < 6; i++) {
            h.input(UPLINK, 1 + i * 100_000L, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, p)); // every 100 ms
        }
        h.input(UPLINK, 1_500_000, eth(UPLINK_MAC, ROUTER_MAC, 0x88b5, p)); // only moves the clock
        h.run();
        assertEquals(4, h.counter("ip4-neighbor.held"), "queue depth 4");
        assertEquals(2, h.counter("ip4-neighbor.queue_full"));
        assertEquals(2, h.counter("ip4-neighbor.requests_sent"), "first packet, then one retransmit after 1 s");
        assertEquals(4, h.counter("ip4-neighbor.timed_out"));
        assertEquals(2, h.output(POD_PORT).size());
    }

    @Test
    void icmpErrorsAreRateLimitedAndNeverAboutErrors() throws Exception {
        L3GraphConfig tight = new L3GraphConfig(256, 0, 2, 64, 4, 1_000_000_000L, 3_000_000_000L);
        GoldenHarness h = new GoldenHarness(dir, tight);
        byte[] expiring = ip4Packet(POD, FAR, 1, 17, 0, 1, udp(1, 2, bytes(8, 0)));
        for (int i = 0; i < 5; i++) {
            h.input(POD_PORT, 1 + i, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, expiring));
        }
        byte[] unreachable = ip4Packet(POD, ip4("203.0.113.1"), 64, 1, 0, 2, icmp4(3, 1, 0, bytes(28, 0)));
        h.input(POD_PORT, 10, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, unreachable));
        byte[] fragment = ip4Packet(POD, ip4("203.0.113.1"), 64, 17, 100, 3, bytes(16, 0)); // offset 100*8
        h.input(POD_PORT, 11, eth(POD_PORT_MAC, POD_MAC, ETH_IP4, fragment));
        h.input(POD_PORT, 12, eth(BROADCAST, POD_MAC, ETH_IP4, ip4Packet(POD, FAR, 1, 17, 0, 4, bytes(8, 0))));
        h.run();
        assertEquals(2, h.output(POD_PORT).size());
        assertEquals(2, h.counter("icmp4-error.sent"));
        assertEquals(3, h.counter("icmp4-error.rate_limited"));
        assertEquals(1, h.counter("icmp4-error.error_about_error"));
        assertEquals(1, h.counter("icmp4-error.non_first_fragment"));
        assertEquals(1, h.counter("ip4-lookup.l2_multicast_not_forwarded"));
    }

    @Test
    void linkLocalEchoIsAnsweredOutOfTheInputPort() throws Exception {
        byte[] podLinkLocal = ip6("fe80::10");
        byte[] gwLinkLocal = ip6("fe80::1");
        byte[] echo = icmp6(podLinkLocal, gwLinkLocal, 128, 0, 0x0101_0001, bytes(8, 1));
        long ll[] = Ip6.parse("fe80::10");
        GoldenHarness h = new GoldenHarness(dir)
                .input(POD_PORT, 1, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, ip6Packet(podLinkLocal, gwLinkLocal, 64, 58, echo)))
                .input(POD_PORT, 2, eth(POD_PORT_MAC, POD_MAC, ETH_IP6, ip6Packet(podLinkLocal, FAR6, 64, 17, bytes(8, 1))))
                .run();
        // The reply to fe80::10 first needs fe80::10 resolved: a NS goes out, nobody answers.
        assertEquals(1, h.output(POD_PORT).size());
        assertEquals(135, h.output(POD_PORT).getFirst()[14 + 40] & 0xff);
        assertEquals(1, h.counter("ip6-local.echo_replies"));
        assertEquals(1, h.counter("ip6-lookup.link_local_not_forwarded"));
        assertTrue(ll[0] != 0);
    }

    @Test
    void vlanPortAcceptsItsTagAndTagsWhatItSends() throws Exception {
        long asker = mac("02:aa:00:00:00:11");
        int askerIp = ip4("10.0.0.11");
        byte[] request = arp(1, asker, askerIp, 0, GW);
        byte[] payload = udp(1, 2, bytes(12, 0));
        GoldenHarness h = new GoldenHarness(dir).podVlan(5)
                .input(POD_PORT, 1, TestFrames.vlanEth(BROADCAST, asker, 5, ETH_ARP, request))
                .input(POD_PORT, 2, TestFrames.vlanEth(BROADCAST, asker, 6, ETH_ARP, request))
                .input(POD_PORT, 3, eth(BROADCAST, asker, ETH_ARP, request))
                .input(UPLINK, 4, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, POD, 9, 17, 0, 1, payload)))
                .run();
        List<byte[]> out = h.output(POD_PORT);
        assertEquals(2, out.size());
        assertFrame(TestFrames.vlanEth(asker, POD_PORT_MAC, 5, ETH_ARP, arp(2, POD_PORT_MAC, GW, asker, askerIp)),
                out.get(0));
        assertFrame(TestFrames.vlanEth(POD_MAC, POD_PORT_MAC, 5, ETH_IP4, ip4Packet(FAR, POD, 8, 17, 0, 1, payload)),
                out.get(1));
        assertEquals(2, h.counter("ethernet-input.vlan_mismatch"));
        if (Tshark.available()) {
            assertEquals(List.of("5", "2"), tshark(h.outputFiles[POD_PORT], "vlan.id", "arp.opcode").get(0));
        }
    }

    @Test
    void learnedNeighboursAgeOut() throws Exception {
        long asker = mac("02:aa:00:00:00:11");
        int askerIp = ip4("10.0.0.11");
        byte[] payload = udp(1, 2, bytes(12, 0));
        GoldenHarness h = new GoldenHarness(dir).neighborLifetime(1_000_000_000L)
                .input(POD_PORT, 1, eth(BROADCAST, asker, ETH_ARP, arp(1, asker, askerIp, 0, GW)))
                .input(UPLINK, 500_000, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, askerIp, 9, 17, 0, 1, payload)))
                .input(UPLINK, 2_500_000, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, askerIp, 9, 17, 0, 2, payload)))
                .run();
        List<byte[]> out = h.output(POD_PORT);
        assertEquals(3, out.size(), "ARP reply, packet 1 forwarded at once, then a new ARP request after expiry");
        assertFrame(eth(asker, POD_PORT_MAC, ETH_IP4, ip4Packet(FAR, askerIp, 8, 17, 0, 1, payload)), out.get(1));
        assertFrame(eth(BROADCAST, POD_PORT_MAC, ETH_ARP, arp(1, POD_PORT_MAC, GW, 0, askerIp)), out.get(2));
        assertEquals(1, h.counter("ip4-neighbor.timed_out"), "packet 2 waited for an answer that never came");
    }

    @Test
    void counterNamesAreStableUniqueAndNamedByNode() throws Exception {
        GoldenHarness h = new GoldenHarness(dir).run();
        java.util.List<String> names = new java.util.ArrayList<>();
        h.graph.visit((name, value) -> names.add(name));
        assertEquals(names.size(), new java.util.HashSet<>(names).size(), "no duplicate names");
        for (String expected : List.of("ethernet-input.packets", "ethernet-input.vlan_tagged", "arp.replies_sent",
                "ip4-input.bad_checksum", "ip6-input.truncated", "ip4-lookup.no_route", "ip4-rewrite.ttl_expired",
                "ip6-rewrite.mtu_exceeded", "icmp4-error.rate_limited", "nd.bad_checksum", "ip4-neighbor.timed_out",
                "ip6-neighbor.held", "interface-output.vectors")) {
            assertTrue(names.contains(expected), expected);
        }
        for (String name : names) {
            assertTrue(name.matches("[a-z0-9-]+\\.[a-z0-9_]+"), name);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> h.counter("ip4-input.nope"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> h.counter("nope"));
    }

    @Test
    void busyNeighboursAreReconfirmedByUnicastProbeBeforeTheyExpire() throws Exception {
        long asker = mac("02:aa:00:00:00:11");
        int askerIp = ip4("10.0.0.11");
        byte[] asker6 = ip6("fd00::11");
        byte[] payload = udp(1, 2, bytes(12, 0));
        byte[] group = TestFrames.solicitedNode(GW6);
        byte[] ns = icmp6(asker6, group, 135, 0, 0, ndBody(GW6, 1, asker));
        byte[] na = icmp6(asker6, ip6("fe80::1"), 136, 0, 0x6000_0000, ndBody(asker6, 2, asker));
        GoldenHarness h = new GoldenHarness(dir).neighborLifetime(4_000_000_000L) // probe after 3 s
                .input(POD_PORT, 1, eth(BROADCAST, asker, ETH_ARP, arp(1, asker, askerIp, 0, GW)))
                .input(POD_PORT, 2, eth(TestFrames.multicastMac(group), asker, ETH_IP6, ip6Packet(asker6, group, 255, 58, ns)))
                .input(UPLINK, 3_500_000, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, askerIp, 9, 17, 0, 1, payload)))
                .input(UPLINK, 3_500_001, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, askerIp, 9, 17, 0, 2, payload)))
                .input(UPLINK, 3_500_002, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP6, ip6Packet(FAR6, asker6, 9, 17, payload)))
                .input(POD_PORT, 3_600_000, eth(POD_PORT_MAC, asker, ETH_ARP, arp(2, asker, askerIp, POD_PORT_MAC, GW)))
                .input(POD_PORT, 3_600_001, eth(POD_PORT_MAC, asker, ETH_IP6, ip6Packet(asker6, ip6("fe80::1"), 255, 58, na)))
                .input(UPLINK, 5_000_000, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP4, ip4Packet(FAR, askerIp, 9, 17, 0, 3, payload)))
                .input(UPLINK, 5_000_001, eth(UPLINK_MAC, ROUTER_MAC, ETH_IP6, ip6Packet(FAR6, asker6, 9, 17, payload)))
                .run();
        List<byte[]> out = h.output(POD_PORT);
        // ARP reply, NA, packet 1, unicast ARP probe, packet 2 (no second probe), IPv6 packet, unicast NS,
        // then after the original lifetime: packet 3 and the IPv6 packet, straight through.
        assertEquals(9, out.size());
        assertFrame(eth(asker, POD_PORT_MAC, ETH_IP4, ip4Packet(FAR, askerIp, 8, 17, 0, 1, payload)), out.get(2));
        assertFrame(eth(asker, POD_PORT_MAC, ETH_ARP, arp(1, POD_PORT_MAC, GW, 0, askerIp)), out.get(3));
        assertFrame(eth(asker, POD_PORT_MAC, ETH_IP4, ip4Packet(FAR, askerIp, 8, 17, 0, 2, payload)), out.get(4));
        assertFrame(eth(asker, POD_PORT_MAC, ETH_IP6, ip6Packet(FAR6, asker6, 8, 17, payload)), out.get(5));
        byte[] probe6 = icmp6(ip6("fe80::1"), asker6, 135, 0, 0, ndBody(asker6, 1, POD_PORT_MAC));
        assertFrame(eth(asker, POD_PORT_MAC, ETH_IP6, ip6Packet(ip6("fe80::1"), asker6, 255, 58, probe6)), out.get(6));
        assertFrame(eth(asker, POD_PORT_MAC, ETH_IP4, ip4Packet(FAR, askerIp, 8, 17, 0, 3, payload)), out.get(7));
        assertFrame(eth(asker, POD_PORT_MAC, ETH_IP6, ip6Packet(FAR6, asker6, 8, 17, payload)), out.get(8));
        assertEquals(1, h.counter("ip4-neighbor.probes_sent"));
        assertEquals(1, h.counter("ip6-neighbor.probes_sent"));
        assertEquals(0, h.counter("ip4-neighbor.held"));
        assertEquals(0, h.counter("ip6-neighbor.held"));
    }
}
