package io.podswitch.daemon.engine;

import io.podswitch.stats.CounterSource;

/**
 * A counter source whose names get a prefix, so that several workers' graphs (which name their
 * counters alike, {@code ip4-input.spoofed_source}) stay apart in the stats file.
 */
final class PrefixedCounters implements CounterSource, CounterSource.CounterVisitor {
    private final String prefix;
    private final CounterSource source;
    private CounterVisitor target;
    private String[] names = new String[64];
    private String[] prefixed = new String[64];
    private int seen;

    PrefixedCounters(String prefix, CounterSource source) {
        this.prefix = prefix;
        this.source = source;
    }

    @Override
    public synchronized void visit(CounterVisitor visitor) {
        target = visitor;
        seen = 0;
        source.visit(this);
        target = null;
    }

    /** Names are stable per source: the prefixed string is built once per name, not per publish. */
    @Override
    public void counter(String name, long value) {
        int i = seen++;
        if (i >= names.length) {
            names = java.util.Arrays.copyOf(names, names.length * 2);
            prefixed = java.util.Arrays.copyOf(prefixed, prefixed.length * 2);
        }
        if (names[i] != name) {
            names[i] = name;
            prefixed[i] = prefix + name;
        }
        target.counter(prefixed[i], value);
    }
}
