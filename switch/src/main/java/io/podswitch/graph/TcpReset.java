package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Tcp;

import java.lang.foreign.MemorySegment;

/**
 * Fills the TCP header of a reset answering a segment (RFC 9293 3.10.7.1, "If the connection does not
 * exist"): if the segment had ACK, {@code <SEQ=SEG.ACK><CTL=RST>}; otherwise
 * {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}, where SYN and FIN each count one. Ports and the
 * checksum are the caller's.
 */
final class TcpReset {
    private TcpReset() {
    }

    static void fill(MemorySegment m, long tcp, int flags, long seq, int ack, int payload) {
        if ((flags & Tcp.FLAG_ACK) != 0) {
            Bytes.i32(m, tcp + Tcp.SEQUENCE, ack);
            Bytes.i32(m, tcp + Tcp.ACKNOWLEDGMENT, 0);
            Bytes.u8(m, tcp + Tcp.FLAGS, Tcp.FLAG_RST);
        } else {
            long length = payload + ((flags & Tcp.FLAG_SYN) != 0 ? 1 : 0) + ((flags & Tcp.FLAG_FIN) != 0 ? 1 : 0);
            Bytes.i32(m, tcp + Tcp.SEQUENCE, 0);
            Bytes.i32(m, tcp + Tcp.ACKNOWLEDGMENT, (int) (seq + length));
            Bytes.u8(m, tcp + Tcp.FLAGS, Tcp.FLAG_RST | Tcp.FLAG_ACK);
        }
        Bytes.u8(m, tcp + Tcp.DATA_OFFSET, Tcp.MIN_HEADER_LENGTH / 4 << 4);
        Bytes.u16(m, tcp + Tcp.WINDOW, 0);
        Bytes.u16(m, tcp + Tcp.CHECKSUM, 0);
        Bytes.u16(m, tcp + Tcp.URGENT, 0);
    }
}
