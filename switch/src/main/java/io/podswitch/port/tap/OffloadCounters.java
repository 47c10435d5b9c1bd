package io.podswitch.port.tap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of a TAP's offload traffic: frames larger than a normal 2 KiB frame (GSO super-frames)
 * received and transmitted, segments coalesced into transmitted super-frames, and received packets
 * with a partial checksum. A receive queue's instance is written by the queue's poller, a transmitting
 * thread's by that thread, once per burst with release stores; anyone reads with acquire loads.
 * {@link TapPort#offloadCounters()} sums them into a fresh instance.
 */
public final class OffloadCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int RX_LARGE = 0;
    private static final int TX_LARGE = 1;
    private static final int RX_PARTIAL_CHECKSUM = 2;
    private static final int TX_COALESCED = 3;

    private final long[] values = new long[4];

    void add(int index, long delta) {
        LONGS.setRelease(values, index, (long) LONGS.get(values, index) + delta);
    }

    /** Adds another instance's values (building a sum; control side). */
    void addAll(OffloadCounters other) {
        for (int i = 0; i < values.length; i++) {
            add(i, (long) LONGS.getAcquire(other.values, i));
        }
    }

    void receivedLarge(long n) {
        add(RX_LARGE, n);
    }

    void transmittedLarge(long n) {
        add(TX_LARGE, n);
    }

    void coalesced(long n) {
        add(TX_COALESCED, n);
    }

    void receivedPartialChecksum(long n) {
        add(RX_PARTIAL_CHECKSUM, n);
    }

    /** Received frames that did not fit a normal frame (GSO super-frames in a large frame). */
    public long largeReceived() {
        return (long) LONGS.getAcquire(values, RX_LARGE);
    }

    /** Transmitted frames longer than MTU + Ethernet header (GSO super-frames passed on as one). */
    public long largeTransmitted() {
        return (long) LONGS.getAcquire(values, TX_LARGE);
    }

    /** Transmitted TCP segments that were merged into super-frames (software GRO, {@code TcpCoalescer}). */
    public long coalescedTransmitted() {
        return (long) LONGS.getAcquire(values, TX_COALESCED);
    }

    /** Received packets whose L4 checksum the kernel left partial (NEEDS_CSUM). */
    public long partialChecksumReceived() {
        return (long) LONGS.getAcquire(values, RX_PARTIAL_CHECKSUM);
    }
}
