package io.podswitch.daemon.engine;

import io.podswitch.stats.CounterSource;

/**
 * The counters of one port: every name it visits is {@link #prefix()} followed by the counter
 * ({@code rx_packets}, {@code drop.<reason>}, {@code offload.*}, driver-specific ones), and
 * {@link #identity()} says which port that is — what the metrics turn into labels.
 */
public interface PortCounterSet extends CounterSource {
    PortIdentity identity();

    String prefix();
}
