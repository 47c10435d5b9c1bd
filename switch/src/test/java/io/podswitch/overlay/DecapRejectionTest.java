package io.podswitch.overlay;

import io.podswitch.graph.TestFrames;
import io.podswitch.packet.FrameSlab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static io.podswitch.overlay.OverlayFixture.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rejection reason, from frames built byte by byte and then damaged one field at a time. */
class DecapRejectionTest {
    private final FrameSlab slab = new FrameSlab(4);

    @AfterEach
    void close() {
        slab.close();
    }

    private static final int UDP4 = 34;
    private static final int UDP6 = 54;

    static byte[] valid(TunnelMode mode, boolean outer6) {
        return expectedOuter(mode, outer6, 50000, inner(false, 1234, 80));
    }

    static void fixIp4Checksum(byte[] f) {
        f[24] = 0;
        f[25] = 0;
        int c = TestFrames.checksum(f, 14, 20, 0);
        f[24] = (byte) (c >>> 8);
        f[25] = (byte) c;
    }

    static void fixUdp6Checksum(byte[] f) {
        int length = u16(f, UDP6 + 4);
        f[UDP6 + 6] = 0;
        f[UDP6 + 7] = 0;
        int c = TestFrames.checksum(f, UDP6, length, TestFrames.pseudo6(TestFrames.slice(f, 22, 38),
                TestFrames.slice(f, 38, 54), length, 17));
        f[UDP6 + 6] = (byte) (c >>> 8);
        f[UDP6 + 7] = (byte) c;
    }

    /** Decapsulates at node B; asserts a drop for {@code reason} with the frame untouched. */
    private void assertDropped(int reason, TunnelMode mode, boolean outer6, byte[] frame) {
        PeerTable table = table(mirror(peer(mode, outer6)));
        assertDropped(reason, table, frame);
    }

    private void assertDropped(int reason, PeerTable table, byte[] frame) {
        OverlayCounters counters = new OverlayCounters(table);
        load(slab, 1, frame);
        int offset = slab.dataOffset(1);
        assertEquals(Decapsulator.DROPPED, new Decapsulator(slab, table, counters).decapsulate(1),
                "expected a drop for " + DecapDrop.name(reason));
        for (int r = 0; r < DecapDrop.COUNT; r++) {
            assertEquals(r == reason ? 1 : 0, counters.decapDrops(r), DecapDrop.name(r));
        }
        assertEquals(offset, slab.dataOffset(1));
        assertArrayEquals(frame, read(slab, 1));
    }

    private void assertDropped(int reason, TunnelMode mode, boolean outer6, Consumer<byte[]> damage) {
        byte[] f = valid(mode, outer6);
        damage.accept(f);
        assertDropped(reason, mode, outer6, f);
    }

    @Test
    void truncatedAtEveryLengthIsTooShort() {
        for (TunnelMode mode : TunnelMode.values()) {
            for (boolean outer6 : new boolean[] {false, true}) {
                byte[] full = valid(mode, outer6);
                for (int length = 0; length < full.length; length++) {
                    assertDropped(DecapDrop.TOO_SHORT, mode, outer6, TestFrames.slice(full, 0, length));
                }
            }
        }
    }

    @Test
    void innerFrameShorterThanAnEthernetHeaderIsTooShort() {
        byte[] inner = TestFrames.bytes(13, 3);
        byte[] f = expectedOuter(TunnelMode.VXLAN, false, 50000, inner);
        assertDropped(DecapDrop.TOO_SHORT, TunnelMode.VXLAN, false, f);
    }

    @Test
    void wrongVni() {
        for (TunnelMode mode : TunnelMode.values()) {
            assertDropped(DecapDrop.BAD_VNI, mode, false, f -> f[UDP4 + 8 + 6] ^= 1);
            assertDropped(DecapDrop.BAD_VNI, mode, true, f -> {
                f[UDP6 + 8 + 4] ^= 0x10;
                fixUdp6Checksum(f);
            });
        }
    }

    @Test
    void unknownPeer() {
        PeerTable empty = new PeerTable(4);
        assertDropped(DecapDrop.UNKNOWN_PEER, empty, valid(TunnelMode.VXLAN, false));
        assertDropped(DecapDrop.UNKNOWN_PEER, empty, valid(TunnelMode.GENEVE, true));
        // Known address family, other address.
        assertDropped(DecapDrop.UNKNOWN_PEER, TunnelMode.VXLAN, false, f -> {
            f[29]++;
            fixIp4Checksum(f);
        });
        assertDropped(DecapDrop.UNKNOWN_PEER, TunnelMode.GENEVE, true, f -> f[37]++);
    }

    @Test
    void wrongDestination() {
        assertDropped(DecapDrop.WRONG_DESTINATION, TunnelMode.VXLAN, false, f -> {
            f[33]++;
            fixIp4Checksum(f);
        });
        assertDropped(DecapDrop.WRONG_DESTINATION, TunnelMode.VXLAN, true, f -> f[53]++);
    }

    @Test
    void badChecksums() {
        assertDropped(DecapDrop.BAD_CHECKSUM, TunnelMode.VXLAN, false, f -> f[24] ^= 1);
        assertDropped(DecapDrop.BAD_CHECKSUM, TunnelMode.VXLAN, false, f -> f[UDP4 + 7] = 1);
        assertDropped(DecapDrop.BAD_CHECKSUM, TunnelMode.GENEVE, true, f -> f[f.length - 1] ^= 1);
        assertDropped(DecapDrop.BAD_CHECKSUM, TunnelMode.GENEVE, true, f -> {
            f[UDP6 + 6] = 0;
            f[UDP6 + 7] = 0;
        });
    }

    @Test
    void validIp4UdpChecksumIsAccepted() {
        byte[] f = valid(TunnelMode.VXLAN, false);
        int length = u16(f, UDP4 + 4);
        long pseudo = 0;
        for (int i = 26; i < 34; i += 2) {
            pseudo += u16(f, i);
        }
        int c = TestFrames.checksum(f, UDP4, length, pseudo + 17 + length);
        f[UDP4 + 6] = (byte) (c >>> 8);
        f[UDP4 + 7] = (byte) c;
        load(slab, 1, f);
        PeerTable table = table(mirror(peer(TunnelMode.VXLAN, false)));
        assertEquals(0, new Decapsulator(slab, table, new OverlayCounters(table)).decapsulate(1));
        assertArrayEquals(inner(false, 1234, 80), read(slab, 1));
    }

    @Test
    void ipLevelRejections() {
        assertDropped(DecapDrop.NOT_IP, TunnelMode.VXLAN, false, f -> f[13] = 6); // ARP
        assertDropped(DecapDrop.NOT_IP, TunnelMode.VXLAN, false, f -> {
            f[14] = 0x65;
            fixIp4Checksum(f);
        });
        assertDropped(DecapDrop.NOT_IP, TunnelMode.VXLAN, true, f -> f[14] = 0x40);
        assertDropped(DecapDrop.BAD_LENGTH, TunnelMode.VXLAN, false, f -> {
            f[14] = 0x44;
            fixIp4Checksum(f);
        });
        assertDropped(DecapDrop.FRAGMENT, TunnelMode.VXLAN, false, f -> {
            f[20] = 0x20;
            fixIp4Checksum(f);
        });
        assertDropped(DecapDrop.NOT_UDP, TunnelMode.VXLAN, false, f -> {
            f[23] = 6;
            fixIp4Checksum(f);
        });
        assertDropped(DecapDrop.NOT_UDP, TunnelMode.GENEVE, true, f -> f[20] = 0);
        assertDropped(DecapDrop.BAD_LENGTH, TunnelMode.VXLAN, false, f -> f[UDP4 + 4]++);
        assertDropped(DecapDrop.BAD_LENGTH, TunnelMode.VXLAN, false, f -> {
            f[UDP4 + 4] = 0;
            f[UDP4 + 5] = 7;
        });
    }

    @Test
    void wrongPort() {
        assertDropped(DecapDrop.BAD_PORT, TunnelMode.VXLAN, false, f -> f[UDP4 + 3]++);
        // A Geneve frame to a VXLAN peer arrives on the Geneve port.
        byte[] geneve = valid(TunnelMode.GENEVE, false);
        assertDropped(DecapDrop.BAD_PORT, table(mirror(peer(TunnelMode.VXLAN, false))), geneve);
    }

    @Test
    void vxlanWithoutTheIFlag() {
        assertDropped(DecapDrop.BAD_FLAGS, TunnelMode.VXLAN, false, f -> f[UDP4 + 8] = 0);
        assertDropped(DecapDrop.BAD_FLAGS, TunnelMode.VXLAN, true, f -> {
            f[UDP6 + 8] = (byte) 0xf7;
            fixUdp6Checksum(f);
        });
    }

    @Test
    void genevePolicies() {
        assertDropped(DecapDrop.BAD_FLAGS, TunnelMode.GENEVE, false, f -> f[UDP4 + 8] = 0x40);
        assertDropped(DecapDrop.BAD_FLAGS, TunnelMode.GENEVE, false, f -> f[UDP4 + 9] = (byte) 0x80);
        assertDropped(DecapDrop.BAD_GENEVE_OPTIONS, TunnelMode.GENEVE, false, f -> f[UDP4 + 9] = 0x40);
        assertDropped(DecapDrop.BAD_GENEVE_OPTIONS, TunnelMode.GENEVE, false, f -> f[UDP4 + 8] = 0x3f);
        assertDropped(DecapDrop.BAD_PROTOCOL, TunnelMode.GENEVE, false, f -> f[UDP4 + 10] = 0x08);
    }

    @Test
    void geneveOptionsAreSkipped() {
        byte[] inner = inner(true, 7, 8);
        // Two 4-byte words of a non-critical option: class 0x0102, type 0x03, length 1 word, data.
        byte[] header = TestFrames.concat(new byte[] {0x02, 0, 0x65, 0x58}, new byte[] {0x12, 0x34, 0x56, 0},
                new byte[] {1, 2, 3, 1, 9, 9, 9, 9});
        byte[] udp = TestFrames.udp(50001, 6081, TestFrames.concat(header, inner));
        byte[] f = TestFrames.eth(REMOTE_MAC, LOCAL_MAC, 0x0800, TestFrames.ip4Packet(TestFrames.ip4(LOCAL4),
                TestFrames.ip4(REMOTE4), 64, 17, 0x4000, 0, udp));
        PeerTable table = table(mirror(peer(TunnelMode.GENEVE, false)));
        load(slab, 2, f);
        assertEquals(0, new Decapsulator(slab, table, new OverlayCounters(table)).decapsulate(2));
        assertArrayEquals(inner, read(slab, 2));
    }

    @Test
    void ethernetPaddingAfterTheIpPacketIsCutOff() {
        byte[] inner = inner(false, 5, 6);
        byte[] f = TestFrames.concat(expectedOuter(TunnelMode.VXLAN, false, 49999, inner), new byte[6]);
        PeerTable table = table(mirror(peer(TunnelMode.VXLAN, false)));
        load(slab, 2, f);
        assertEquals(0, new Decapsulator(slab, table, new OverlayCounters(table)).decapsulate(2));
        assertArrayEquals(inner, read(slab, 2));
    }
}
