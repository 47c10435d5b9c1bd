package io.podswitch.stats;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies the counters of registered {@link CounterSource}s (ports, graph nodes, workers) into the
 * stats file. Runs on the control/stats thread, a few times a second — never per packet: sources
 * keep their own single-writer counters and this thread only reads them.
 *
 * <p>A source's counters are bound on first sight: each name gets an {@link AtomicCounter} labelled
 * with it. Sources visit their names in a stable order, so later publishes match the n-th visited
 * name to the n-th counter by reference (a String compare only if the reference differs) and store
 * the value with release semantics. Not thread-safe: one control thread.
 */
public final class StatsPublisher implements AutoCloseable {
    private final StatsFile file;
    private final CountersManager counters;
    private final Map<CounterSource, Binding> bindings = new IdentityHashMap<>();

    public StatsPublisher(StatsFile file) {
        this.file = file;
        this.counters = file.counters();
    }

    /** Adds a source; its counters appear at the next {@link #publish}. Adding twice has no effect. */
    public void register(CounterSource source) {
        bindings.computeIfAbsent(source, Binding::new);
    }

    /** Removes a source and frees its counters in the file. @return false when it was not registered */
    public boolean unregister(CounterSource source) {
        Binding binding = bindings.remove(source);
        if (binding == null) {
            return false;
        }
        binding.free();
        return true;
    }

    /** Copies every registered source's values into the file and refreshes its heartbeat. */
    public void publish(long epochMs) {
        for (Binding binding : bindings.values()) {
            binding.publish();
        }
        file.heartbeat(epochMs);
    }

    /** Number of counters currently in the file. */
    public int counterCount() {
        int n = 0;
        for (Binding b : bindings.values()) {
            n += b.counters.size();
        }
        return n;
    }

    /** Frees every source's counters (the file itself belongs to the caller). */
    @Override
    public void close() {
        for (Binding binding : bindings.values()) {
            binding.free();
        }
        bindings.clear();
    }

    /** One source's names and counters, in visit order; also the visitor (no lambda per publish). */
    private final class Binding implements CounterSource.CounterVisitor {
        private final CounterSource source;
        private final List<String> names = new ArrayList<>();
        private final List<AtomicCounter> counters = new ArrayList<>();
        private int cursor;

        Binding(CounterSource source) {
            this.source = source;
        }

        void publish() {
            cursor = 0;
            source.visit(this);
            // A source that visits fewer names than before has dropped some: free the surplus.
            while (counters.size() > cursor) {
                int last = counters.size() - 1;
                counters.remove(last).close();
                names.remove(last);
            }
        }

        @Override
        public void counter(String name, long value) {
            int i = cursor++;
            if (i < names.size()) {
                String known = names.get(i);
                if (known != name && !known.equals(name)) {
                    counters.get(i).close();
                    names.set(i, name);
                    counters.set(i, newCounter(name));
                }
            } else {
                names.add(name);
                counters.add(newCounter(name));
            }
            counters.get(i).setRelease(value);
        }

        private AtomicCounter newCounter(String name) {
            if (name.length() > CountersReader.MAX_LABEL_LENGTH) {
                throw new IllegalArgumentException("counter name longer than " + CountersReader.MAX_LABEL_LENGTH + ": " + name);
            }
            if (StatsPublisher.this.counters.available() == 0) {
                throw new IllegalStateException("stats file " + file.path() + " is full ("
                        + StatsPublisher.this.counters.capacity() + " counters); cannot add " + name);
            }
            return StatsPublisher.this.counters.newCounter(name, StatsFileLayout.COUNTER_TYPE_ID);
        }

        void free() {
            for (AtomicCounter c : counters) {
                c.close();
            }
            counters.clear();
            names.clear();
        }
    }
}
