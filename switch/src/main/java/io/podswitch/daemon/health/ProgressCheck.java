package io.podswitch.daemon.health;

import java.util.function.LongSupplier;

/**
 * Liveness of something that counts its own progress (a worker's slow ticks, the control thread's
 * periodic runs): fails when the count has not moved for longer than {@code maxStallNs}. It remembers
 * when it last saw the count change, so it needs no thread of its own: whoever asks (the probe) moves it
 * forward. A count that has not been seen change yet is given the benefit of the doubt from the first
 * time it was asked.
 */
public final class ProgressCheck implements HealthCheck {
    private final String name;
    private final String what;
    private final LongSupplier count;
    private final LongSupplier clockNs;
    private final long maxStallNs;
    private long lastCount = Long.MIN_VALUE;
    private long lastChangeNs;

    /**
     * @param what    how the detail names the thing, e.g. "worker 0"
     * @param count   the progress count (any thread may read it)
     * @param clockNs a monotonic clock ({@code System::nanoTime})
     */
    public ProgressCheck(String name, String what, LongSupplier count, LongSupplier clockNs, long maxStallNs) {
        this.name = HealthChecks.checkName(name);
        this.what = what;
        this.count = count;
        this.clockNs = clockNs;
        this.maxStallNs = maxStallNs;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized Condition check() {
        long now = clockNs.getAsLong();
        long c = count.getAsLong();
        if (c != lastCount) {
            lastCount = c;
            lastChangeNs = now;
        }
        long stalledMs = (now - lastChangeNs) / 1_000_000;
        if (now - lastChangeNs > maxStallNs) {
            return Condition.failing(what + " made no progress for " + stalledMs + " ms (count " + c + ")");
        }
        return Condition.passing(what + " advancing (count " + c + ")");
    }
}
