package io.podswitch.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Network-byte-order accessors over frame memory; static, allocation free. */
public final class Bytes {
    public static final ValueLayout.OfShort NET_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt NET_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong NET_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    public static int u8(MemorySegment m, long off) {
        return m.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    public static void u8(MemorySegment m, long off, int v) {
        m.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    public static int u16(MemorySegment m, long off) {
        return m.get(NET_SHORT, off) & 0xffff;
    }

    public static void u16(MemorySegment m, long off, int v) {
        m.set(NET_SHORT, off, (short) v);
    }

    public static int i32(MemorySegment m, long off) {
        return m.get(NET_INT, off);
    }

    public static void i32(MemorySegment m, long off, int v) {
        m.set(NET_INT, off, v);
    }

    public static long i64(MemorySegment m, long off) {
        return m.get(NET_LONG, off);
    }

    public static void i64(MemorySegment m, long off, long v) {
        m.set(NET_LONG, off, v);
    }

    /** A 48-bit MAC address as the low bits of a long. */
    public static long mac(MemorySegment m, long off) {
        return ((long) u16(m, off) << 32) | (i32(m, off + 2) & 0xffffffffL);
    }

    public static void mac(MemorySegment m, long off, long mac) {
        u16(m, off, (int) (mac >>> 32));
        i32(m, off + 2, (int) mac);
    }

    /**
     * The destination and source MAC of an Ethernet header at {@code eth} (its first 12 bytes) with
     * one 8-byte and one 4-byte store, where two {@link #mac(MemorySegment, long, long)} calls take four.
     */
    public static void macs(MemorySegment m, long eth, long destination, long source) {
        i64(m, eth, (destination << 16) | ((source >>> 32) & 0xffff));
        i32(m, eth + 8, (int) source);
    }

    /** The destination MAC of an Ethernet header at {@code eth}, from one 8-byte load (the frame holds 14 bytes at least). */
    public static long destinationMac(MemorySegment m, long eth) {
        return i64(m, eth) >>> 16;
    }

    /** The source MAC of an Ethernet header at {@code eth}, from one 8-byte load of bytes 4..11. */
    public static long sourceMac(MemorySegment m, long eth) {
        return i64(m, eth + 4) & 0xffff_ffff_ffffL;
    }
}
