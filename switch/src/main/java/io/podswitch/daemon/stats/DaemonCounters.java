package io.podswitch.daemon.stats;

import io.podswitch.daemon.engine.CounterRegistry;
import io.podswitch.stats.CounterSource;
import io.podswitch.stats.StatsPublisher;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Every counter source of the running daemon (workers, graphs, host and pod ports): publishes them
 * to the memory-mapped stats file ({@code podswitch stats} reads it from another process) and
 * snapshots them for {@code GET /v1/counters}. Control thread only, like the {@link StatsPublisher}.
 */
public final class DaemonCounters implements CounterRegistry {
    private final Set<CounterSource> sources = new LinkedHashSet<>();
    private final StatsPublisher publisher;

    /** @param publisher the stats file's publisher, or null to keep counters in memory only */
    public DaemonCounters(StatsPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void register(CounterSource source) {
        if (sources.add(source) && publisher != null) {
            publisher.register(source);
        }
    }

    @Override
    public void unregister(CounterSource source) {
        if (sources.remove(source) && publisher != null) {
            publisher.unregister(source);
        }
    }

    /** Copies every value into the stats file and refreshes its heartbeat. */
    public void publish(long epochMs) {
        if (publisher != null) {
            publisher.publish(epochMs);
        }
    }

    /** Every registered source, in registration order (control thread only). */
    public java.util.Collection<CounterSource> sources() {
        return java.util.Collections.unmodifiableSet(sources);
    }

    /** Every counter by name, in registration order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (CounterSource source : sources) {
            source.visit((name, value) -> out.merge(name, value, Long::sum));
        }
        return out;
    }

    /** The total of every counter whose name ends with {@code suffix} (e.g. {@code .spoofed_source}). */
    public long sumEndingWith(String suffix) {
        long total = 0;
        for (Map.Entry<String, Long> e : snapshot().entrySet()) {
            if (e.getKey().endsWith(suffix)) {
                total += e.getValue();
            }
        }
        return total;
    }
}
