package io.podswitch.packet;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChecksumTest {
    /** The textbook loop, byte pair by byte pair. */
    static int reference(byte[] b) {
        long sum = 0;
        for (int i = 0; i + 1 < b.length; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if ((b.length & 1) != 0) {
            sum += (b[b.length - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    @Test
    void longRangesWithARunningSumMatchTheTextbookLoop() {
        // The wide (native-order) loop over up to 64 KiB, any alignment, on top of a pseudo-header sum.
        Random r = new Random(11);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(70_000);
            for (int round = 0; round < 300; round++) {
                int length = round < 4 ? 65_535 - round : r.nextInt(65_536);
                int offset = r.nextInt(64);
                byte[] b = new byte[length + 4];
                r.nextBytes(b);
                MemorySegment.copy(b, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, length);
                // A running sum of the 4 bytes in front, as a pseudo-header sum would be.
                long pseudo = ((b[length] & 0xff) << 8 | (b[length + 1] & 0xff)) + ((b[length + 2] & 0xff) << 8 | (b[length + 3] & 0xff));
                byte[] whole = new byte[length + 4];
                System.arraycopy(b, length, whole, 0, 4);
                System.arraycopy(b, 0, whole, 4, length);
                assertEquals(reference(whole), Checksum.finish(Checksum.add(m, offset, length, pseudo)), "length " + length);
            }
        }
    }

    @Test
    void matchesTheTextbookLoopForEveryLengthAndAlignment() {
        Random r = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(2048);
            for (int length = 0; length < 200; length++) {
                for (int offset = 0; offset < 8; offset++) {
                    byte[] b = new byte[length];
                    r.nextBytes(b);
                    MemorySegment.copy(b, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, length);
                    assertEquals(reference(b), Checksum.compute(m, offset, length), "length " + length);
                }
            }
        }
    }

    @Test
    void rfc1071Example() {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (before complement).
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(8);
            byte[] b = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
            MemorySegment.copy(b, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, 8);
            assertEquals(0xddf2, Checksum.fold(Checksum.add(m, 0, 8, 0)));
        }
    }

    @Test
    void incrementalUpdateEqualsRecomputation() {
        Random r = new Random(11);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(20);
            for (int i = 0; i < 100_000; i++) {
                for (int j = 0; j < 20; j += 4) {
                    m.set(Bytes.NET_INT, j, r.nextInt());
                }
                if (i % 7 == 0) {
                    m.fill((byte) 0); // the 0x0000 / 0xffff corner RFC 1624 is about
                }
                Bytes.u16(m, 10, 0);
                int checksum = Checksum.compute(m, 0, 20);
                Bytes.u16(m, 10, checksum);
                int old = Bytes.u16(m, 8);
                int neu = r.nextInt(0x10000);
                Bytes.u16(m, 8, neu);
                int incremental = Checksum.update(checksum, old, neu);
                Bytes.u16(m, 10, 0);
                int full = Checksum.compute(m, 0, 20);
                // One's complement has two zeros; a header checksum computed from scratch is never 0xffff
                // unless all words are zero, where both forms verify.
                Bytes.u16(m, 10, incremental);
                assertEquals(0, Checksum.compute(m, 0, 20), "incremental result verifies");
                if (full != 0xffff && incremental != 0xffff) {
                    assertEquals(full, incremental);
                }
                int oldInt = m.get(Bytes.NET_INT, 12);
                int newInt = r.nextInt();
                m.set(Bytes.NET_INT, 12, newInt);
                int inc32 = Checksum.update32(incremental, oldInt, newInt);
                Bytes.u16(m, 10, inc32);
                assertEquals(0, Checksum.compute(m, 0, 20), "32-bit incremental result verifies");
            }
        }
    }

    /** The end-around-carry loop {@link Checksum#fold} replaced with four fixed steps. */
    private static int loopFold(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    @Test
    void foldEqualsTheCarryLoopForAnyUnsignedLong() {
        long[] edges = {0, 1, 0xffff, 0x1_0000, 0x1_fffe, 0x1_ffff, 0xffff_ffffL, 0x1_0000_0000L, 0x1_ffff_fffeL,
                0xffff_ffff_ffffL, Long.MAX_VALUE, Long.MIN_VALUE, -1L, -2L, 0xffff_0000_ffff_0000L, 0x8000_0000_0000_ffffL};
        for (long e : edges) {
            assertEquals(loopFold(e), Checksum.fold(e), () -> "fold(" + Long.toHexString(e) + ")");
        }
        Random r = new Random(5);
        for (int i = 0; i < 1_000_000; i++) {
            // Every magnitude: sums of a few words up to sums near 2^64.
            long v = r.nextLong() >>> r.nextInt(64);
            assertEquals(loopFold(v), Checksum.fold(v), () -> "fold(" + Long.toHexString(v) + ")");
        }
    }

    @Test
    void ip4HeaderSumFromItsThreeWordsMatchesTheTextbookLoop() {
        Random r = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(128);
            for (int round = 0; round < 20_000; round++) {
                int offset = r.nextInt(64);
                byte[] b = new byte[20];
                r.nextBytes(b);
                if (round % 2 == 0) {
                    // Half of them carry their right checksum: the sum is then 0xffff.
                    b[10] = 0;
                    b[11] = 0;
                    int c = reference(b);
                    b[10] = (byte) (c >>> 8);
                    b[11] = (byte) c;
                }
                MemorySegment.copy(b, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, 20);
                int got = Checksum.ip4Header(Bytes.i64(m, offset), Bytes.i64(m, offset + 8), Bytes.i32(m, offset + 16));
                assertEquals(~reference(b) & 0xffff, got, "round " + round);
                assertEquals(Checksum.fold(Checksum.add(m, offset, 20, 0)), got, "round " + round);
                if (round % 2 == 0) {
                    assertEquals(0xffff, got, "a header with its right checksum sums to 0xffff, round " + round);
                }
            }
        }
    }
}
