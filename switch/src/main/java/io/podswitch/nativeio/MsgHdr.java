package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct mmsghdr} (a {@code struct msghdr} plus the byte count the kernel fills in) and
 * {@code struct cmsghdr}, the per-datagram descriptors of {@code sendmmsg}/{@code recvmmsg}, on
 * x86-64. Pointers are written as raw addresses, so an array of them can point into the frame slab
 * without a segment per packet.
 *
 * <pre>
 *  mmsghdr (64)
 *  0            8            12     16           24            32             40              48       52     56        60     64
 *  +------------+------------+------+------------+-------------+--------------+---------------+--------+------+---------+------+
 *  | msg_name * | msg_namelen| pad  | msg_iov *  | msg_iovlen  | msg_control *| msg_controllen| msg_   | pad  | msg_len | pad  |
 *  | (sockaddr) | (u32)      |      | (iovec[])  | (u64)       | (cmsghdrs)   | (u64)         | flags  |      | (u32)   |      |
 *  +------------+------------+------+------------+-------------+--------------+---------------+--------+------+---------+------+
 *  |<------------------------------------------- struct msghdr (56) ---------------------------------------->|
 *
 *  cmsghdr (16) + data, each one padded to 8 bytes (CMSG_SPACE)
 *  0            8            12           16
 *  +------------+------------+------------+----------------------+
 *  | cmsg_len   | cmsg_level | cmsg_type  | data (cmsg_len - 16) |
 *  | (u64)      | (i32)      | (i32)      |                      |
 *  +------------+------------+------------+----------------------+
 * </pre>
 */
public final class MsgHdr {
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            JAVA_LONG.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    public static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"),
            JAVA_INT.withName("msg_len"),
            MemoryLayout.paddingLayout(4));
    public static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type"));

    public static final long SIZE = MMSGHDR.byteSize();
    public static final long NAME = offset(MSGHDR, "msg_name");
    public static final long NAMELEN = offset(MSGHDR, "msg_namelen");
    public static final long IOV = offset(MSGHDR, "msg_iov");
    public static final long IOVLEN = offset(MSGHDR, "msg_iovlen");
    public static final long CONTROL = offset(MSGHDR, "msg_control");
    public static final long CONTROLLEN = offset(MSGHDR, "msg_controllen");
    public static final long FLAGS = offset(MSGHDR, "msg_flags");
    public static final long LEN = offset(MMSGHDR, "msg_len");

    public static final long CMSG_HEADER = CMSGHDR.byteSize();
    public static final long CMSG_LEN = offset(CMSGHDR, "cmsg_len");
    public static final long CMSG_LEVEL = offset(CMSGHDR, "cmsg_level");
    public static final long CMSG_TYPE = offset(CMSGHDR, "cmsg_type");

    private MsgHdr() {
    }

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** CMSG_LEN(n): header plus {@code n} data bytes, unpadded (the value of cmsg_len). */
    public static long cmsgLen(long dataBytes) {
        return CMSG_HEADER + dataBytes;
    }

    /** CMSG_SPACE(n): header plus data padded to 8 bytes (what a control buffer must hold). */
    public static long cmsgSpace(long dataBytes) {
        return CMSG_HEADER + ((dataBytes + 7) & ~7L);
    }

    /** Points element {@code index} of an mmsghdr array at a name buffer and an iovec array; no control. */
    public static void set(MemorySegment msgs, int index, long nameAddress, int nameLength, long iovAddress,
                           long iovCount) {
        long at = index * SIZE;
        msgs.set(JAVA_LONG, at + NAME, nameAddress);
        msgs.set(JAVA_INT, at + NAMELEN, nameLength);
        msgs.set(JAVA_LONG, at + IOV, iovAddress);
        msgs.set(JAVA_LONG, at + IOVLEN, iovCount);
        msgs.set(JAVA_LONG, at + CONTROL, 0L);
        msgs.set(JAVA_LONG, at + CONTROLLEN, 0L);
        msgs.set(JAVA_INT, at + FLAGS, 0);
        msgs.set(JAVA_INT, at + LEN, 0);
    }

    /** Sets the control buffer of element {@code index} (address 0 and length 0 for none). */
    public static void setControl(MemorySegment msgs, int index, long address, long length) {
        long at = index * SIZE;
        msgs.set(JAVA_LONG, at + CONTROL, address);
        msgs.set(JAVA_LONG, at + CONTROLLEN, length);
    }

    /** Bytes the kernel moved for element {@code index} (msg_len). */
    public static int length(MemorySegment msgs, int index) {
        return msgs.get(JAVA_INT, index * SIZE + LEN);
    }

    /** Flags the kernel returned for element {@code index} (msg_flags, e.g. MSG_TRUNC). */
    public static int flags(MemorySegment msgs, int index) {
        return msgs.get(JAVA_INT, index * SIZE + FLAGS);
    }
}
