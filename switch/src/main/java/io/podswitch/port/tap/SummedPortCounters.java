package io.podswitch.port.tap;

import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;

/**
 * The port-wide view over per-queue counters of a multi-queue port: each queue's counters have their
 * own single writer (the worker owning the queue); reads sum them. Writes through this view go to
 * queue 0's counters, so only queue 0's owner may use them.
 */
final class SummedPortCounters implements PortCounters {
    private final SimplePortCounters[] queues;

    SummedPortCounters(SimplePortCounters[] queues) {
        this.queues = queues;
    }

    @Override
    public void received(long packets, long bytes) {
        queues[0].received(packets, bytes);
    }

    @Override
    public void transmitted(long packets, long bytes) {
        queues[0].transmitted(packets, bytes);
    }

    @Override
    public void dropped(PortDropReason reason, long packets) {
        queues[0].dropped(reason, packets);
    }

    @Override
    public long rxPackets() {
        long sum = 0;
        for (SimplePortCounters q : queues) {
            sum += q.rxPackets();
        }
        return sum;
    }

    @Override
    public long rxBytes() {
        long sum = 0;
        for (SimplePortCounters q : queues) {
            sum += q.rxBytes();
        }
        return sum;
    }

    @Override
    public long txPackets() {
        long sum = 0;
        for (SimplePortCounters q : queues) {
            sum += q.txPackets();
        }
        return sum;
    }

    @Override
    public long txBytes() {
        long sum = 0;
        for (SimplePortCounters q : queues) {
            sum += q.txBytes();
        }
        return sum;
    }

    @Override
    public long drops(PortDropReason reason) {
        long sum = 0;
        for (SimplePortCounters q : queues) {
            sum += q.drops(reason);
        }
        return sum;
    }
}
