package io.podswitch.perf.sides;

import java.util.function.LongSupplier;

/**
 * Waits until freshly started daemons have gone quiet before traffic through them is measured. On this 2-core
 * machine a podswitchd's first seconds go to its start-up work — the reload path's warm-up ({@code ReloadWarmup},
 * up to a thousand rounds), the JIT compiling it and the data path, the collector — about a core per daemon:
 * perf on 2026-12-04 showed the two cross-node daemons' C2 threads at 40–50 % of both CPUs for 13 s after they
 * started, and a TCP step measured then got half the rate of the same step a minute later. A bench step measures
 * forwarding, not the start; the daemons' start is {@code bench cni}'s and {@code bench podman-run}'s subject.
 * Quiet: the daemons together used less than {@link #QUIET_CORES} of a core over one {@link #WINDOW_NANOS}
 * window. Bounded by {@link #MAX_NANOS}: a daemon busy for another reason is measured as it is.
 */
final class StartQuiet {
    static final double QUIET_CORES = 0.3;
    static final long WINDOW_NANOS = 1_000_000_000L;
    static final long MAX_NANOS = 30_000_000_000L;

    /** A pause of the waiting thread (a test passes one that advances a fake clock). */
    @FunctionalInterface
    interface Pause {
        void nanos(long n) throws InterruptedException;
    }

    /** What the wait saw: how long it took, the last window's CPU in cores, and whether the daemons went quiet. */
    record Waited(long nanos, double cores, boolean quiet) {
        @Override
        public String toString() {
            return String.format("%s after %.1f s (last 1 s window: %.2f cores)", quiet ? "quiet" : "still busy",
                    nanos / 1e9, cores);
        }
    }

    private StartQuiet() {
    }

    /** Waits with the wall clock and {@link Thread#sleep}. */
    static Waited await(LongSupplier cpuNanos) throws InterruptedException {
        return await(cpuNanos, System::nanoTime, n -> Thread.sleep(n / 1_000_000L, (int) (n % 1_000_000L)));
    }

    static Waited await(LongSupplier cpuNanos, LongSupplier clock, Pause pause) throws InterruptedException {
        long start = clock.getAsLong();
        long cpu = cpuNanos.getAsLong();
        long at = start;
        while (true) {
            pause.nanos(WINDOW_NANOS);
            long now = clock.getAsLong();
            long used = cpuNanos.getAsLong();
            double cores = (double) (used - cpu) / Math.max(1, now - at);
            if (cores < QUIET_CORES || now - start >= MAX_NANOS) {
                return new Waited(now - start, cores, cores < QUIET_CORES);
            }
            cpu = used;
            at = now;
        }
    }
}
