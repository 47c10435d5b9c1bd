package io.podswitch.port;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Port counters in plain heap fields, written by the single owning worker with release stores and
 * read by others with acquire loads. The stats file publisher copies them out in its slow tick.
 */
public final class SimplePortCounters implements PortCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int RX_PACKETS = 0;
    private static final int RX_BYTES = 1;
    private static final int TX_PACKETS = 2;
    private static final int TX_BYTES = 3;
    private static final int DROPS = 4;

    private final long[] values = new long[DROPS + PortDropReason.values().length];

    private void add(int index, long delta) {
        LONGS.setRelease(values, index, (long) LONGS.get(values, index) + delta);
    }

    private long read(int index) {
        return (long) LONGS.getAcquire(values, index);
    }

    @Override
    public void received(long packets, long bytes) {
        add(RX_PACKETS, packets);
        add(RX_BYTES, bytes);
    }

    @Override
    public void transmitted(long packets, long bytes) {
        add(TX_PACKETS, packets);
        add(TX_BYTES, bytes);
    }

    @Override
    public void dropped(PortDropReason reason, long packets) {
        add(DROPS + reason.ordinal(), packets);
    }

    @Override
    public long rxPackets() {
        return read(RX_PACKETS);
    }

    @Override
    public long rxBytes() {
        return read(RX_BYTES);
    }

    @Override
    public long txPackets() {
        return read(TX_PACKETS);
    }

    @Override
    public long txBytes() {
        return read(TX_BYTES);
    }

    @Override
    public long drops(PortDropReason reason) {
        return read(DROPS + reason.ordinal());
    }
}
