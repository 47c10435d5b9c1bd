package io.podswitch.service;

/**
 * How long an idle entry lives, per state, in the same time unit as the clock the worker passes in
 * (nanoseconds in production). Defaults follow Linux nf_conntrack's spirit: short while a connection is
 * being set up or torn down, long once established.
 */
public record ConnTrackTimeouts(long synSent, long established, long closing, long closed, long udp) {
    private static final long SECOND = 1_000_000_000L;
    public static final ConnTrackTimeouts DEFAULTS =
        new ConnTrackTimeouts(30 * SECOND, 3_600 * SECOND, 30 * SECOND, 10 * SECOND, 120 * SECOND);

    public ConnTrackTimeouts {
        if (synSent <= 0 || established <= 0 || closing <= 0 || closed <= 0 || udp <= 0) {
            throw new IllegalArgumentException("conntrack timeouts must be positive: syn " + synSent + ", established "
                + established + ", closing " + closing + ", closed " + closed + ", udp " + udp);
        }
    }

    /** The idle timeout for an entry in {@code state} (a {@link TcpState} constant; NONE means UDP/other). */
    public long forState(int state) {
        return switch (state) {
            case TcpState.SYN_SENT -> synSent;
            case TcpState.ESTABLISHED -> established;
            case TcpState.CLOSING -> closing;
            case TcpState.CLOSED -> closed;
            default -> udp;
        };
    }

    /**
     * Whether a flow tracked by two workers is idle past its timeout: its TCP state as the owner tracked it,
     * corrected by the flags the other direction's worker saw (a RST closes it, a FIN closes an established one),
     * against the later of both directions' last packets. {@code tcpState} NONE (UDP/other) ignores the flags.
     */
    public boolean expired(int tcpState, int otherFlags, long lastSeen, long otherSeen, long now) {
        int state = tcpState;
        if (state != TcpState.NONE) {
            if ((otherFlags & TcpState.RST) != 0) {
                state = TcpState.CLOSED;
            } else if ((otherFlags & TcpState.FIN) != 0 && state == TcpState.ESTABLISHED) {
                state = TcpState.CLOSING;
            }
        }
        return now - Math.max(lastSeen, otherSeen) > forState(state);
    }
}
