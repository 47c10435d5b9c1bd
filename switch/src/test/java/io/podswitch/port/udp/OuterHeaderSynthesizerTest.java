package io.podswitch.port.udp;

import io.podswitch.nativeio.SockAddr;
import io.podswitch.overlay.Decapsulator;
import io.podswitch.overlay.Encapsulator;
import io.podswitch.overlay.OverlayCounters;
import io.podswitch.overlay.PeerTable;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.stream.Stream;

import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.port.udp.UdpTestFrames.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the kernel hands the socket (sender address and port, the UDP payload) plus the synthesised
 * outer headers must give back exactly the frame node A's Encapsulator built (apart from the source
 * MAC, which a socket cannot know), and node B's Decapsulator must accept it and return the inner
 * frame unchanged: VXLAN and Geneve, outer IPv4 and IPv6, inner IPv4 and IPv6, many sizes.
 */
class OuterHeaderSynthesizerTest {
    static final String A4 = "198.51.100.1";
    static final String B4 = "198.51.100.2";
    static final String A6 = "2001:db8:a::1";
    static final String B6 = "2001:db8:b::2";

    static Stream<Arguments> combinations() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (TunnelMode mode : TunnelMode.values()) {
            for (boolean outer6 : new boolean[] {false, true}) {
                for (boolean inner6 : new boolean[] {false, true}) {
                    b.add(Arguments.of(mode, outer6, inner6));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} outer6={1} inner6={2}")
    @MethodSource("combinations")
    void synthesisedFrameIsTheSentFrameAndDecapsulates(TunnelMode mode, boolean outer6, boolean inner6)
            throws Exception {
        try (FrameSlab slab = new FrameSlab(8); Arena arena = Arena.ofConfined()) {
            TunnelPeer ofA = peerOfA(mode, outer6, A4, B4, A6, B6);
            TunnelPeer ofB = peerOfB(mode, outer6, A4, B4, A6, B6);
            Encapsulator encap = encapsulator(slab, table(ofA));
            PeerTable tableB = table(ofB);
            OverlayCounters countersB = new OverlayCounters(tableB);
            Decapsulator decap = new Decapsulator(slab, tableB, countersB);
            OuterHeaderSynthesizer synthesizer = outer6
                    ? OuterHeaderSynthesizer.ip6(MAC_B, Ip6.parse(B6)[0], Ip6.parse(B6)[1], mode.defaultPort())
                    : OuterHeaderSynthesizer.ip4(MAC_B, ip4(B4), mode.defaultPort());
            assertEquals(outer6 ? 62 : 42, synthesizer.headerLength());
            MemorySegment name = arena.allocate(32, 8);

            for (int size = 0; size <= 1400; size += 61) {
                byte[] inner = inner(inner6, size, size + 7);
                load(slab, 1, inner);
                assertTrue(encap.encapsulate(1, ofA.id()));
                byte[] sent = read(slab, 1);
                int udp = 14 + (outer6 ? 40 : 20);
                byte[] datagram = Arrays.copyOfRange(sent, udp + 8, sent.length);

                // The kernel's part: the datagram lands behind the header gap; msg_name holds the sender.
                slab.reset(2);
                long p = slab.frameStart(2) + slab.headroom();
                MemorySegment.copy(datagram, 0, slab.memory(), ValueLayout.JAVA_BYTE,
                        p + synthesizer.headerLength(), datagram.length);
                SockAddr.write(name, InetAddress.getByName(outer6 ? A6 : A4), u16(sent, udp));
                int length = synthesizer.write(slab.memory(), p, datagram.length, name, 0);
                slab.setData(2, slab.headroom(), length);

                byte[] expected = sent.clone();
                long underlay = OuterHeaderSynthesizer.UNDERLAY_MAC;
                for (int i = 0; i < 6; i++) {
                    expected[6 + i] = (byte) (underlay >>> (40 - 8 * i));
                }
                assertArrayEquals(expected, read(slab, 2), "size " + size);
                assertEquals(ofB.id(), decap.decapsulate(2), "size " + size);
                assertArrayEquals(inner, read(slab, 2), "size " + size);
            }
            assertEquals(countersB.decapPackets(ofB.id()), 23);
        }
    }
}
