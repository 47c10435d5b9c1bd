package io.podswitch.port.tap;

import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;
import java.util.function.Supplier;

/**
 * The port-wide view of a TAP's counters: every receive queue's and every transmitting thread's, each
 * with its own single writer; reads sum them. Writes through this view go to receive queue 0's
 * counters, so only that queue's poller may use them.
 */
final class SummedPortCounters implements PortCounters {
    private final SimplePortCounters[] queues;
    private final Supplier<SimplePortCounters[]> transmitters;

    SummedPortCounters(SimplePortCounters[] queues, Supplier<SimplePortCounters[]> transmitters) {
        this.queues = queues;
        this.transmitters = transmitters;
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
        for (SimplePortCounters t : transmitters.get()) {
            sum += t.txPackets();
        }
        return sum;
    }

    @Override
    public long txBytes() {
        long sum = 0;
        for (SimplePortCounters q : queues) {
            sum += q.txBytes();
        }
        for (SimplePortCounters t : transmitters.get()) {
            sum += t.txBytes();
        }
        return sum;
    }

    @Override
    public long drops(PortDropReason reason) {
        long sum = 0;
        for (SimplePortCounters q : queues) {
            sum += q.drops(reason);
        }
        for (SimplePortCounters t : transmitters.get()) {
            sum += t.drops(reason);
        }
        return sum;
    }
}
