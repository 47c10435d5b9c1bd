package io.podswitch.stats;

/**
 * Anything with counters to publish (ports, graph nodes, workers). The stats publisher visits each
 * source in its slow tick and copies the values into the memory-mapped stats file; names are stable
 * for the life of the source (e.g. {@code port.tap1.rx_packets}, {@code node.ip4-input.drop.bad_checksum}).
 */
public interface CounterSource {
    void visit(CounterVisitor visitor);

    @FunctionalInterface
    interface CounterVisitor {
        void counter(String name, long value);
    }
}
