package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct iovec}, one scatter/gather element for {@code readv}/{@code writev}.
 *
 * <pre>
 *  0               8               16
 *  +---------------+---------------+
 *  | iov_base (*)  | iov_len (u64) |
 *  +---------------+---------------+
 * </pre>
 * The base is written as a raw address, so an iovec array can point into the frame slab without
 * making a segment per packet.
 */
public final class IoVec {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));
    public static final long SIZE = LAYOUT.byteSize();
    public static final long BASE = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("iov_base"));
    public static final long LEN = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("iov_len"));

    private IoVec() {
    }

    /** Sets element {@code index} of the iovec array {@code iov}. */
    public static void set(MemorySegment iov, int index, long address, long length) {
        long at = index * SIZE;
        iov.set(JAVA_LONG, at + BASE, address);
        iov.set(JAVA_LONG, at + LEN, length);
    }
}
