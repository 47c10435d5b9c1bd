package io.podswitch.daemon.engine;

import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.stats.CounterSource;

/** A port's traffic and drop counters for the stats file, named {@code port.NAME.rx_packets} etc. */
public final class PortCounterSource implements CounterSource {
    private static final PortDropReason[] REASONS = PortDropReason.values();
    private final PortCounters counters;
    private final String rxPackets;
    private final String rxBytes;
    private final String txPackets;
    private final String txBytes;
    private final String[] drops = new String[REASONS.length];

    /** @param label the port's name in counter names (a pod port: {@code pod.CONTAINER.IFNAME}) */
    public PortCounterSource(String label, Port port) {
        this.counters = port.counters();
        String p = "port." + label + ".";
        rxPackets = p + "rx_packets";
        rxBytes = p + "rx_bytes";
        txPackets = p + "tx_packets";
        txBytes = p + "tx_bytes";
        for (int i = 0; i < REASONS.length; i++) {
            drops[i] = p + "drop." + REASONS[i].name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Override
    public void visit(CounterVisitor visitor) {
        visitor.counter(rxPackets, counters.rxPackets());
        visitor.counter(rxBytes, counters.rxBytes());
        visitor.counter(txPackets, counters.txPackets());
        visitor.counter(txBytes, counters.txBytes());
        for (int i = 0; i < REASONS.length; i++) {
            visitor.counter(drops[i], counters.drops(REASONS[i]));
        }
    }
}
