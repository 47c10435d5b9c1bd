package io.podswitch.nativeio;

import static io.podswitch.nativeio.NetlinkLayouts.RTATTR_SIZE;
import static io.podswitch.nativeio.NetlinkLayouts.align;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * A cursor over the attributes of one received netlink message (control plane only):
 * <pre>
 *  +----------+----------+---------------------+ padding to 4 +----------+---
 *  | len (16) | type (16)| data (len - 4)      |              | len      | ...
 *  +----------+----------+---------------------+--------------+----------+---
 * </pre>
 * {@link #next()} moves to the next attribute that lies wholly inside {@code [start, end)} and stops
 * at the first malformed one (length below the header or past the end): kernel input is bounds-checked,
 * never trusted. The type is masked to its 14 value bits (NLA_F_NESTED and NLA_F_NET_BYTEORDER off).
 */
final class RtAttributes {
    private final MemorySegment buf;
    private final int end;
    private int next;
    private int type;
    private int data;
    private int length;

    RtAttributes(MemorySegment buf, int start, int end) {
        this.buf = buf;
        this.end = end;
        this.next = start;
    }

    /** Moves to the next well-formed attribute; false at the end or at a malformed one. */
    boolean next() {
        if (next + RTATTR_SIZE > end) {
            return false;
        }
        int alen = buf.get(JAVA_SHORT, next) & 0xffff;
        if (alen < RTATTR_SIZE || next + alen > end) {
            return false;
        }
        type = buf.get(JAVA_SHORT, next + 2) & 0x3fff;
        data = next + RTATTR_SIZE;
        length = alen - RTATTR_SIZE;
        next += align(alen);
        return true;
    }

    int type() {
        return type;
    }

    /** Offset of the attribute's payload in the buffer. */
    int data() {
        return data;
    }

    /** Payload length in bytes (without the header and padding). */
    int length() {
        return length;
    }
}
