package io.podswitch.port.udp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a UDP tunnel port did beyond the {@code PortCounters}: the finer reasons behind its MALFORMED
 * and OVERSIZE drops, how much of its transmit went out as UDP GSO and how much of its receive came in
 * coalesced by UDP GRO. Written by the owning worker
 * once per burst with release stores, read by anyone with acquire loads. A port keeps one per receive
 * queue and one per transmitting thread; {@link UdpTunnelPort#udpCounters()} sums them.
 */
public final class UdpTunnelCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    static final int TX_NOT_UDP = 0;
    static final int TX_WRONG_SOURCE = 1;
    static final int TX_NO_SOCKET = 2;
    static final int TX_MALFORMED = 3;
    static final int RX_TRUNCATED = 4;
    static final int TX_GSO_MESSAGES = 5;
    static final int TX_GSO_DATAGRAMS = 6;
    static final int TX_SYSCALLS = 7;
    static final int RX_SYSCALLS = 8;
    static final int RX_GRO_DATAGRAMS = 9;
    static final int RX_GRO_SEGMENTS = 10;
    private static final String[] NAMES = {
        "tx_not_udp", "tx_wrong_source", "tx_no_socket", "tx_malformed", "rx_truncated",
        "tx_gso_messages", "tx_gso_datagrams", "tx_syscalls", "rx_syscalls", "rx_gro_datagrams",
        "rx_gro_segments"};

    private final long[] values = new long[NAMES.length];

    void add(int index, long delta) {
        LONGS.setRelease(values, index, (long) LONGS.get(values, index) + delta);
    }

    long get(int index) {
        return (long) LONGS.getAcquire(values, index);
    }

    /** Frames given to transmit that are not IPv4/IPv6 UDP (ARP, ICMP, tagged ...): counted MALFORMED. */
    public long txNotUdp() {
        return get(TX_NOT_UDP);
    }

    /** Frames whose outer source is not the socket's address: counted MALFORMED. */
    public long txWrongSource() {
        return get(TX_WRONG_SOURCE);
    }

    /** Frames of an outer IP family the port has no socket for: counted MALFORMED. */
    public long txNoSocket() {
        return get(TX_NO_SOCKET);
    }

    /** Frames with truncated or inconsistent headers: counted MALFORMED. */
    public long txMalformed() {
        return get(TX_MALFORMED);
    }

    /** Datagrams longer than a frame can hold (MSG_TRUNC): counted OVERSIZE. */
    public long rxTruncated() {
        return get(RX_TRUNCATED);
    }

    /** sendmmsg messages that carried more than one datagram (UDP_SEGMENT). */
    public long txGsoMessages() {
        return get(TX_GSO_MESSAGES);
    }

    /** Datagrams sent inside those GSO messages. */
    public long txGsoDatagrams() {
        return get(TX_GSO_DATAGRAMS);
    }

    /** sendmmsg calls made. */
    public long txSyscalls() {
        return get(TX_SYSCALLS);
    }

    /** recvmmsg calls made. */
    public long rxSyscalls() {
        return get(RX_SYSCALLS);
    }

    /** Received datagrams that the kernel had coalesced (UDP_GRO) and that were split into frames. */
    public long rxGroDatagrams() {
        return get(RX_GRO_DATAGRAMS);
    }

    /** Tunnel datagrams carried inside those coalesced ones. */
    public long rxGroSegments() {
        return get(RX_GRO_SEGMENTS);
    }

    /** Stable counter names, suffixes of {@code port.<name>.}, in the order of {@link #value}. */
    public static int count() {
        return NAMES.length;
    }

    public static String name(int index) {
        return NAMES[index];
    }

    public long value(int index) {
        return get(index);
    }

    /** A snapshot: the sum of {@code parts} (control plane and tests; allocates). */
    static UdpTunnelCounters sum(Iterable<UdpTunnelCounters> parts) {
        UdpTunnelCounters total = new UdpTunnelCounters();
        for (UdpTunnelCounters p : parts) {
            for (int i = 0; i < NAMES.length; i++) {
                total.values[i] += p.get(i);
            }
        }
        return total;
    }
}
