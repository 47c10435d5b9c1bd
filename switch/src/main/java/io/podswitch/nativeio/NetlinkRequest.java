package io.podswitch.nativeio;

import static io.podswitch.nativeio.NetlinkLayouts.NLA_F_NESTED;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSGHDR_SIZE;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_FLAGS;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_LEN;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_SEQ;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_TYPE;
import static io.podswitch.nativeio.NetlinkLayouts.RTATTR_SIZE;
import static io.podswitch.nativeio.NetlinkLayouts.align;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Writes one netlink request into a reusable buffer: header, fixed struct, attributes (nested ones
 * too), each padded to 4 bytes; {@link #finish()} fills in the length. {@link #next} appends a further
 * message after the current one (an nfnetlink batch is several messages in one datagram). Not thread-safe.
 */
final class NetlinkRequest {
    private final MemorySegment buffer;
    private int position;
    private int messageStart;

    NetlinkRequest(MemorySegment buffer) {
        this.buffer = buffer;
    }

    MemorySegment buffer() {
        return buffer;
    }

    /** Starts a new message; the previous one is forgotten. */
    NetlinkRequest begin(int type, int flags, int sequence) {
        position = 0;
        return next(type, flags, sequence);
    }

    /** Finishes the current message and starts another right after it (same datagram). */
    NetlinkRequest next(int type, int flags, int sequence) {
        if (position > 0) {
            finish();
        }
        messageStart = position;
        int header = reserve(NLMSGHDR_SIZE);
        buffer.set(JAVA_SHORT, header + NLMSG_TYPE, (short) type);
        buffer.set(JAVA_SHORT, header + NLMSG_FLAGS, (short) flags);
        buffer.set(JAVA_INT, header + NLMSG_SEQ, sequence);
        return this;
    }

    /** Reserves a zeroed fixed struct of {@code size} bytes and returns its offset in the buffer. */
    int struct(int size) {
        int at = reserve(size);
        return at;
    }

    void putByte(int offset, int value) {
        buffer.set(JAVA_BYTE, offset, (byte) value);
    }

    void putShort(int offset, int value) {
        buffer.set(JAVA_SHORT, offset, (short) value);
    }

    void putInt(int offset, int value) {
        buffer.set(JAVA_INT, offset, value);
    }

    NetlinkRequest attr(int type, byte[] data) {
        int at = reserve(RTATTR_SIZE + data.length);
        buffer.set(JAVA_SHORT, at, (short) (RTATTR_SIZE + data.length));
        buffer.set(JAVA_SHORT, at + 2, (short) type);
        MemorySegment.copy(data, 0, buffer, JAVA_BYTE, at + RTATTR_SIZE, data.length);
        return this;
    }

    NetlinkRequest attrInt(int type, int value) {
        int at = reserve(RTATTR_SIZE + 4);
        buffer.set(JAVA_SHORT, at, (short) (RTATTR_SIZE + 4));
        buffer.set(JAVA_SHORT, at + 2, (short) type);
        buffer.set(JAVA_INT, at + RTATTR_SIZE, value);
        return this;
    }

    /** A 32-bit attribute in network byte order (nf_tables' NLA_BE32: registers, verdicts, hooks, flags). */
    NetlinkRequest attrBigEndianInt(int type, int value) {
        return attrInt(type, Integer.reverseBytes(value));
    }

    /** A 64-bit attribute in network byte order (nf_tables' NLA_BE64: handles). */
    NetlinkRequest attrBigEndianLong(int type, long value) {
        int at = reserve(RTATTR_SIZE + 8);
        buffer.set(JAVA_SHORT, at, (short) (RTATTR_SIZE + 8));
        buffer.set(JAVA_SHORT, at + 2, (short) type);
        buffer.set(JAVA_INT, at + RTATTR_SIZE, Integer.reverseBytes((int) (value >>> 32)));
        buffer.set(JAVA_INT, at + RTATTR_SIZE + 4, Integer.reverseBytes((int) value));
        return this;
    }

    /** A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND). */
    NetlinkRequest attrString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        return attr(type, z);
    }

    /** Opens a nested attribute; close it with {@link #endNested(int)} passing the returned offset. */
    int beginNested(int type) {
        int at = reserve(RTATTR_SIZE);
        buffer.set(JAVA_SHORT, at + 2, (short) (type | NLA_F_NESTED));
        return at;
    }

    void endNested(int at) {
        buffer.set(JAVA_SHORT, at, (short) (position - at));
    }

    /** Writes the current message's length into its header and returns the length of everything written. */
    int finish() {
        buffer.set(JAVA_INT, messageStart + NLMSG_LEN, position - messageStart);
        return position;
    }

    /** Bytes written so far (every message, padded). */
    int position() {
        return position;
    }

    private int reserve(int length) {
        int at = position;
        int padded = align(length);
        if (at + padded > buffer.byteSize()) {
            throw new IllegalArgumentException("netlink request larger than " + buffer.byteSize() + " bytes");
        }
        buffer.asSlice(at, padded).fill((byte) 0);
        position = at + padded;
        return at;
    }
}
