package io.podswitch.packet;

import java.lang.foreign.MemorySegment;

/**
 * TCP header (RFC 9293), offsets from the start of the TCP header.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |          Source Port          |       Destination Port        |  0
 * +-------------------------------+-------------------------------+
 * |                        Sequence Number                        |  4
 * +---------------------------------------------------------------+
 * |                    Acknowledgment Number                      |  8
 * +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 * | Offset| Rsrvd |C|E|U|A|P|R|S|F|            Window             | 12
 * +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 * |           Checksum            |         Urgent Pointer        | 16
 * +-------------------------------+-------------------------------+
 * |                    Options (Offset > 5) ...                   | 20
 * </pre>
 */
public final class Tcp {
    public static final int SOURCE_PORT = 0;
    public static final int DESTINATION_PORT = 2;
    public static final int SEQUENCE = 4;
    public static final int ACKNOWLEDGMENT = 8;
    public static final int DATA_OFFSET = 12;
    public static final int FLAGS = 13;
    public static final int WINDOW = 14;
    public static final int CHECKSUM = 16;
    public static final int URGENT = 18;
    public static final int MIN_HEADER_LENGTH = 20;

    public static final int FLAG_FIN = 0x01;
    public static final int FLAG_SYN = 0x02;
    public static final int FLAG_RST = 0x04;
    public static final int FLAG_PSH = 0x08;
    public static final int FLAG_ACK = 0x10;
    public static final int FLAG_URG = 0x20;
    public static final int FLAG_ECE = 0x40;
    public static final int FLAG_CWR = 0x80;

    private Tcp() {
    }

    /** Header length in bytes from the data offset field. */
    public static int headerLength(MemorySegment m, long tcp) {
        return (Bytes.u8(m, tcp + DATA_OFFSET) >>> 4) * 4;
    }
}
