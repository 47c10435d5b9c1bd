package io.podswitch.port.udp;

import io.podswitch.graph.TestFrames;
import io.podswitch.overlay.Encapsulator;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.port.udp.UdpTestFrames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Transmit parsing: what goes to the kernel, and every kind of bad frame refused with its code. */
class OuterFrameParserTest {
    static final String A4 = "198.51.100.1";
    static final String B4 = "198.51.100.2";
    static final String A6 = "2001:db8:a::1";
    static final String B6 = "2001:db8:b::2";

    private static OuterFrameParser parserOfA(boolean with4, boolean with6) {
        long[] a6 = Ip6.parse(A6);
        return new OuterFrameParser(with4, ip4(A4), with6, a6[0], a6[1]);
    }

    private static byte[] encapsulated(FrameSlab slab, TunnelMode mode, boolean outer6, int size) {
        TunnelPeer ofA = peerOfA(mode, outer6, A4, B4, A6, B6);
        Encapsulator encap = encapsulator(slab, table(ofA));
        load(slab, 1, inner(false, size, 3));
        assertTrue(encap.encapsulate(1, ofA.id()));
        return read(slab, 1);
    }

    private static int parse(OuterFrameParser parser, FrameSlab slab, byte[] frame) {
        load(slab, 2, frame);
        return parser.parse(slab.memory(), slab.dataStart(2), frame.length);
    }

    @Test
    void findsDestinationPortAndPayload() {
        try (FrameSlab slab = new FrameSlab(4)) {
            OuterFrameParser parser = parserOfA(true, true);
            for (TunnelMode mode : TunnelMode.values()) {
                byte[] v4 = encapsulated(slab, mode, false, 100);
                assertEquals(OuterFrameParser.OK, parse(parser, slab, v4));
                assertEquals(false, parser.ip6);
                assertEquals(ip4(B4), parser.destination4);
                assertEquals(mode.defaultPort(), parser.destinationPort);
                assertEquals(42, parser.payloadOffset);
                assertEquals(v4.length - 42, parser.payloadLength);
                assertEquals(v4.length - 14, parser.ipLength);

                byte[] v6 = encapsulated(slab, mode, true, 100);
                assertEquals(OuterFrameParser.OK, parse(parser, slab, v6));
                assertEquals(true, parser.ip6);
                assertEquals(Ip6.parse(B6)[0], parser.destination6High);
                assertEquals(Ip6.parse(B6)[1], parser.destination6Low);
                assertEquals(62, parser.payloadOffset);
                assertEquals(v6.length - 62, parser.payloadLength);
            }
        }
    }

    @Test
    void ethernetPaddingAfterTheIpPacketIsNotSent() {
        try (FrameSlab slab = new FrameSlab(4)) {
            byte[] v4 = encapsulated(slab, TunnelMode.VXLAN, false, 10);
            byte[] padded = TestFrames.concat(v4, new byte[30]);
            OuterFrameParser parser = parserOfA(true, false);
            assertEquals(OuterFrameParser.OK, parse(parser, slab, padded));
            assertEquals(v4.length - 42, parser.payloadLength);
        }
    }

    @Test
    void refusesWhatCannotBeSentAsOneDatagramFromOurSocket() {
        try (FrameSlab slab = new FrameSlab(4)) {
            OuterFrameParser parser = parserOfA(true, true);
            byte[] v4 = encapsulated(slab, TunnelMode.VXLAN, false, 64);
            byte[] v6 = encapsulated(slab, TunnelMode.GENEVE, true, 64);

            byte[] arp = TestFrames.eth(MAC_B, MAC_A, 0x0806, TestFrames.arp(1, MAC_A, ip4(A4), 0, ip4(B4)));
            assertEquals(OuterFrameParser.NOT_UDP, parse(parser, slab, arp));
            byte[] icmp = v4.clone();
            icmp[14 + 9] = 1;
            assertEquals(OuterFrameParser.NOT_UDP, parse(parser, slab, icmp));
            byte[] extension = v6.clone();
            extension[14 + 6] = 0; // hop-by-hop options header
            assertEquals(OuterFrameParser.NOT_UDP, parse(parser, slab, extension));
            byte[] tagged = TestFrames.vlanEth(MAC_B, MAC_A, 7, 0x0800, TestFrames.slice(v4, 14, v4.length));
            assertEquals(OuterFrameParser.NOT_UDP, parse(parser, slab, tagged));

            byte[] fragment = v4.clone();
            fragment[14 + 6] = 0x20; // MF
            assertEquals(OuterFrameParser.MALFORMED, parse(parser, slab, fragment));
            byte[] badIhl = v4.clone();
            badIhl[14] = 0x44;
            assertEquals(OuterFrameParser.MALFORMED, parse(parser, slab, badIhl));
            byte[] version = v6.clone();
            version[14] = 0x40;
            assertEquals(OuterFrameParser.MALFORMED, parse(parser, slab, version));
            byte[] longUdp = v4.clone();
            longUdp[34 + 4] = (byte) 0xff;
            assertEquals(OuterFrameParser.MALFORMED, parse(parser, slab, longUdp));
            byte[] shortUdp = v6.clone();
            shortUdp[54 + 4] = 0;
            shortUdp[54 + 5] = 7;
            assertEquals(OuterFrameParser.MALFORMED, parse(parser, slab, shortUdp));
            byte[] portZero = v4.clone();
            portZero[34 + 2] = 0;
            portZero[34 + 3] = 0;
            assertEquals(OuterFrameParser.MALFORMED, parse(parser, slab, portZero));
            byte[] longIp = v4.clone();
            longIp[14 + 2] = (byte) 0xff;
            assertEquals(OuterFrameParser.MALFORMED, parse(parser, slab, longIp));

            byte[] otherSource = v4.clone();
            otherSource[14 + 15] = 99;
            assertEquals(OuterFrameParser.WRONG_SOURCE, parse(parser, slab, otherSource));
            byte[] otherSource6 = v6.clone();
            otherSource6[14 + 8 + 15] = 99;
            assertEquals(OuterFrameParser.WRONG_SOURCE, parse(parser, slab, otherSource6));

            assertEquals(OuterFrameParser.NO_SOCKET, parse(parserOfA(true, false), slab, v6));
            assertEquals(OuterFrameParser.NO_SOCKET, parse(parserOfA(false, true), slab, v4));
        }
    }

    @Test
    void everyTruncationAndRandomDamageIsRefusedWithoutThrowing() {
        try (FrameSlab slab = new FrameSlab(4)) {
            OuterFrameParser parser = parserOfA(true, true);
            for (boolean outer6 : new boolean[] {false, true}) {
                byte[] frame = encapsulated(slab, TunnelMode.VXLAN, outer6, 200);
                int headers = outer6 ? 62 : 42;
                for (int cut = 0; cut < frame.length; cut++) {
                    load(slab, 2, frame);
                    int result = parser.parse(slab.memory(), slab.dataStart(2), cut);
                    if (cut < headers) {
                        assertNotEquals(OuterFrameParser.OK, result, "cut at " + cut);
                    } else {
                        // The IP/UDP lengths claim more than is there.
                        assertEquals(OuterFrameParser.MALFORMED, result, "cut at " + cut);
                    }
                }
            }
            Random random = new Random(6);
            byte[] garbage = new byte[300];
            for (int i = 0; i < 20_000; i++) {
                random.nextBytes(garbage);
                garbage[12] = (byte) (random.nextBoolean() ? 0x08 : 0x86);
                garbage[13] = (byte) (garbage[12] == 0x08 ? 0x00 : 0xdd);
                int length = random.nextInt(garbage.length + 1);
                load(slab, 2, garbage);
                int result = parser.parse(slab.memory(), slab.dataStart(2), length);
                if (result == OuterFrameParser.OK) {
                    assertTrue(parser.payloadOffset + parser.payloadLength <= length);
                }
            }
        }
    }
}
