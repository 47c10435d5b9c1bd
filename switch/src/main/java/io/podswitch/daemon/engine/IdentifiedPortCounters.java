package io.podswitch.daemon.engine;

import io.podswitch.stats.CounterSource;

/**
 * A port's counters that the port names itself ({@code AfXdpPort}, {@code UdpTunnelPort}: {@code
 * port.<nic>.rx_packets}, {@code .xsk.*}, {@code .udp.*}), tagged with the port's {@link PortIdentity}
 * so the metrics see which port they are. The stats file gets the port's own names unchanged.
 *
 * @param prefix what every name the source visits starts with ({@code port.<nic>.})
 */
public record IdentifiedPortCounters(PortIdentity identity, String prefix, CounterSource source)
        implements PortCounterSet {

    @Override
    public void visit(CounterVisitor visitor) {
        source.visit(visitor);
    }
}
