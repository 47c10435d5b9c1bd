package io.podswitch.service;

/**
 * The TCP states conntrack tracks: just enough to choose a timeout, not a full TCP state machine. The
 * transition function looks at the flags of a segment in either direction.
 *
 * <pre>
 *   NONE (UDP / other) ─ never changes
 *   SYN_SENT ──ACK without SYN──► ESTABLISHED ──FIN──► CLOSING
 *      any state ──RST──► CLOSED;   CLOSING / CLOSED ──SYN without ACK──► SYN_SENT (tuple reused)
 * </pre>
 */
public final class TcpState {
    public static final int NONE = 0;
    public static final int SYN_SENT = 1;
    public static final int ESTABLISHED = 2;
    public static final int CLOSING = 3;
    public static final int CLOSED = 4;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int ACK = 0x10;

    private TcpState() {}

    /** The state after a segment with {@code flags} (the TCP header's flag byte) is seen in {@code state}. */
    public static int next(int state, int flags) {
        if (state == NONE) {
            return NONE;
        }
        if ((flags & RST) != 0) {
            return CLOSED;
        }
        boolean synOnly = (flags & (SYN | ACK)) == SYN;
        if (state == CLOSING || state == CLOSED) {
            return synOnly ? SYN_SENT : state;
        }
        if ((flags & FIN) != 0) {
            return CLOSING;
        }
        if (state == SYN_SENT && (flags & (SYN | ACK)) == ACK) {
            return ESTABLISHED;
        }
        return state;
    }

    /** The state a new TCP entry starts in, given the first segment's flags. */
    public static int initial(int flags) {
        return next(SYN_SENT, flags);
    }
}
