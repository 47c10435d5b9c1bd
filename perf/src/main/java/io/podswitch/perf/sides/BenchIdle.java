package io.podswitch.perf.sides;

import io.podswitch.worker.IdleStrategies;

/**
 * The worker idle strategy of every podswitch subject the bench runs (in-process workers and the
 * daemons it starts): the daemon's default, as shipped, unless {@code -Dpodswitch.bench.idle=SPEC}
 * asks for another for an A/B run (e.g. {@code spin} or {@code backoff} against the default).
 */
final class BenchIdle {
    static final String PROPERTY = "podswitch.bench.idle";

    private BenchIdle() {
    }

    static String strategy() {
        return System.getProperty(PROPERTY, IdleStrategies.DEFAULT);
    }
}
