package io.podswitch.port.udp;

import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;

import java.util.function.Supplier;

/**
 * The port-wide view of a {@link UdpTunnelPort}'s counters: the sum of every receive queue's and
 * every transmitting thread's counters, each of which has its own single writer. Writes through this
 * view go to receive queue 0's counters, so only that queue's owner may use them.
 */
final class UdpTunnelPortCounters implements PortCounters {
    private final SimplePortCounters[] receive;
    private final Supplier<TransmitContext[]> transmit;

    UdpTunnelPortCounters(SimplePortCounters[] receive, Supplier<TransmitContext[]> transmit) {
        this.receive = receive;
        this.transmit = transmit;
    }

    @Override
    public void received(long packets, long bytes) {
        receive[0].received(packets, bytes);
    }

    @Override
    public void transmitted(long packets, long bytes) {
        receive[0].transmitted(packets, bytes);
    }

    @Override
    public void dropped(PortDropReason reason, long packets) {
        receive[0].dropped(reason, packets);
    }

    @Override
    public long rxPackets() {
        long sum = 0;
        for (SimplePortCounters c : receive) {
            sum += c.rxPackets();
        }
        return sum;
    }

    @Override
    public long rxBytes() {
        long sum = 0;
        for (SimplePortCounters c : receive) {
            sum += c.rxBytes();
        }
        return sum;
    }

    @Override
    public long txPackets() {
        long sum = 0;
        for (TransmitContext t : transmit.get()) {
            sum += t.counters.txPackets();
        }
        return sum;
    }

    @Override
    public long txBytes() {
        long sum = 0;
        for (TransmitContext t : transmit.get()) {
            sum += t.counters.txBytes();
        }
        return sum;
    }

    @Override
    public long drops(PortDropReason reason) {
        long sum = 0;
        for (SimplePortCounters c : receive) {
            sum += c.drops(reason);
        }
        for (TransmitContext t : transmit.get()) {
            sum += t.counters.drops(reason);
        }
        return sum;
    }
}
