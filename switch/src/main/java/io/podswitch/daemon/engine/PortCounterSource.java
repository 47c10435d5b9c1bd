package io.podswitch.daemon.engine;

import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.tap.OffloadCounters;
import io.podswitch.port.tap.TapPort;

/**
 * A port's traffic and drop counters for the stats file, named {@code port.NAME.rx_packets} etc.; for
 * a TAP with offloads also its offload counters, summed over queues ({@code port.NAME.offload.tx_large},
 * {@code .tx_coalesced}: TCP segments merged into those super-frames, {@code .rx_large},
 * {@code .rx_partial_csum}).
 */
public final class PortCounterSource implements PortCounterSet {
    private static final PortDropReason[] REASONS = PortDropReason.values();
    private final PortIdentity identity;
    private final String prefix;
    private final PortCounters counters;
    private final String rxPackets;
    private final String rxBytes;
    private final String txPackets;
    private final String txBytes;
    private final String[] drops = new String[REASONS.length];
    private final TapPort offloadingTap;
    private final String rxLarge;
    private final String txLarge;
    private final String txCoalesced;
    private final String rxPartialChecksum;

    /** @param identity which port: its names start with {@link PortIdentity#statsPrefix()} */
    public PortCounterSource(PortIdentity identity, Port port) {
        this.identity = identity;
        this.counters = port.counters();
        String p = identity.statsPrefix();
        this.prefix = p;
        rxPackets = p + "rx_packets";
        rxBytes = p + "rx_bytes";
        txPackets = p + "tx_packets";
        txBytes = p + "tx_bytes";
        for (int i = 0; i < REASONS.length; i++) {
            drops[i] = p + "drop." + REASONS[i].name().toLowerCase(java.util.Locale.ROOT);
        }
        offloadingTap = port instanceof TapPort tap && tap.offloadsEnabled() ? tap : null;
        rxLarge = p + "offload.rx_large";
        txLarge = p + "offload.tx_large";
        txCoalesced = p + "offload.tx_coalesced";
        rxPartialChecksum = p + "offload.rx_partial_csum";
    }

    @Override
    public PortIdentity identity() {
        return identity;
    }

    @Override
    public String prefix() {
        return prefix;
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
        if (offloadingTap != null) {
            visitOffloads(visitor);
        }
    }

    private void visitOffloads(CounterVisitor visitor) {
        OffloadCounters o = offloadingTap.offloadCounters();
        visitor.counter(rxLarge, o.largeReceived());
        visitor.counter(txLarge, o.largeTransmitted());
        visitor.counter(txCoalesced, o.coalescedTransmitted());
        visitor.counter(rxPartialChecksum, o.partialChecksumReceived());
    }
}
