package io.podswitch.worker;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Idle strategies by name, for the config file and the command line:
 * <ul>
 *   <li>{@code adaptive} (default) / {@code adaptive:SPINNS[:MAXSLEEPMS]}: spin while busy and for
 *       {@code SPINNS} (default 50 µs) after the last packet, then sleep in {@code epoll_wait} on the
 *       polled queues' descriptors until a packet, a command or at most {@code MAXSLEEPMS} (default
 *       100) — wakes in microseconds, costs nothing when idle ({@link AdaptiveIdleStrategy});</li>
 *   <li>{@code spin}: busy spin with {@code Thread.onSpinWait} — lowest latency, burns a dedicated core;</li>
 *   <li>{@code backoff}: spin, then yield, then park 1 µs doubling up to 1 ms (a packet after a gap
 *       waits out the park); {@code backoff:MAXPARKNS} sets the longest park;</li>
 *   <li>{@code yield}: {@code Thread.yield()} when idle;</li>
 *   <li>{@code sleep} / {@code sleep:NS}: park for a fixed time (default 100 µs) when idle;</li>
 *   <li>{@code noop}: never idle (benchmarks that drive the loop themselves).</li>
 * </ul>
 * Each call to {@link #create} returns a new instance: idle strategies keep state and are per thread.
 * {@code adaptive} needs the worker whose queues it sleeps on ({@link Worker#newIdleStrategy}).
 */
public final class IdleStrategies {
    public static final String DEFAULT = "adaptive";
    static final long ADAPTIVE_SPIN_DEFAULT_NS = TimeUnit.MICROSECONDS.toNanos(50);
    /** The adaptive strategy's longest sleep: timers (ARP retransmits, aging, conntrack expiry) still run while idle. */
    static final long ADAPTIVE_MAX_SLEEP_DEFAULT_MS = 100;
    private static final String ACCEPTED = "spin, adaptive[:spinNs[:maxSleepMs]], backoff[:maxParkNs], yield, sleep[:ns], noop";
    private static final long BACKOFF_MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long BACKOFF_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SLEEP_DEFAULT_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private IdleStrategies() {
    }

    /**
     * A parsed spec: the kind, its optional nanosecond parameter and, for {@code adaptive}, the longest
     * sleep in milliseconds (0 for the others).
     */
    public record Spec(String kind, long nanos, long sleepMillis) {
        public Spec(String kind, long nanos) {
            this(kind, nanos, 0);
        }
    }

    /** Checks a spec without creating anything. @throws IllegalArgumentException naming what is wrong */
    public static Spec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("idle strategy missing; expected one of " + ACCEPTED);
        }
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        String arg = colon < 0 ? null : s.substring(colon + 1);
        return switch (kind) {
            case "spin", "busy-spin", "yield", "noop" -> {
                if (arg != null) {
                    throw new IllegalArgumentException("idle strategy '" + kind + "' takes no parameter: '" + spec + "'");
                }
                yield new Spec(kind.equals("busy-spin") ? "spin" : kind, 0);
            }
            case "adaptive" -> adaptive(spec, arg);
            case "backoff" -> new Spec(kind, arg == null ? BACKOFF_MAX_PARK_NS : nanos(spec, arg, BACKOFF_MIN_PARK_NS));
            case "sleep" -> new Spec(kind, arg == null ? SLEEP_DEFAULT_NS : nanos(spec, arg, 1));
            default -> throw new IllegalArgumentException("unknown idle strategy '" + spec
                    + "'; expected one of " + ACCEPTED);
        };
    }

    /** {@code adaptive[:spinNs[:maxSleepMs]]}: the spin window (0..1 s) and the longest sleep (1 ms..1 h). */
    private static Spec adaptive(String spec, String arg) {
        if (arg == null) {
            return new Spec("adaptive", ADAPTIVE_SPIN_DEFAULT_NS, ADAPTIVE_MAX_SLEEP_DEFAULT_MS);
        }
        int colon = arg.indexOf(':');
        long spin = nanos(spec, colon < 0 ? arg : arg.substring(0, colon), 0);
        if (colon < 0) {
            return new Spec("adaptive", spin, ADAPTIVE_MAX_SLEEP_DEFAULT_MS);
        }
        String sleep = arg.substring(colon + 1);
        long millis;
        try {
            millis = Long.parseLong(sleep);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("idle strategy '" + spec + "': '" + sleep + "' is not a number of milliseconds");
        }
        if (millis < 1 || millis > TimeUnit.HOURS.toMillis(1)) {
            throw new IllegalArgumentException("idle strategy '" + spec + "': longest sleep " + millis + " ms outside [1, 3600000]");
        }
        return new Spec("adaptive", spin, millis);
    }

    private static long nanos(String spec, String arg, long min) {
        long value;
        try {
            value = Long.parseLong(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("idle strategy '" + spec + "': '" + arg + "' is not a number of nanoseconds");
        }
        if (value < min || value > TimeUnit.SECONDS.toNanos(1)) {
            throw new IllegalArgumentException("idle strategy '" + spec + "': " + value + " ns outside [" + min + ", 1000000000]");
        }
        return value;
    }

    /**
     * A fresh idle strategy for one thread that needs no worker (every kind but {@code adaptive}).
     * @throws IllegalArgumentException for a bad spec, or for {@code adaptive}
     */
    public static IdleStrategy create(String spec) {
        return create(spec, null);
    }

    /** A fresh idle strategy for {@code worker}'s thread (the worker sleeps on its queues for {@code adaptive}). */
    static IdleStrategy create(String spec, Worker worker) {
        Spec parsed = parse(spec);
        return switch (parsed.kind()) {
            case "adaptive" -> {
                if (worker == null) {
                    throw new IllegalArgumentException("idle strategy 'adaptive' sleeps on a worker's queues: create it with Worker.newIdleStrategy()");
                }
                yield new AdaptiveIdleStrategy(worker, parsed.nanos(), (int) parsed.sleepMillis());
            }
            case "spin" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            case "noop" -> new NoOpIdleStrategy();
            case "backoff" -> new BackoffIdleStrategy(100, 10, BACKOFF_MIN_PARK_NS, parsed.nanos());
            case "sleep" -> new SleepingIdleStrategy(parsed.nanos());
            default -> throw new IllegalStateException("parse() accepted unknown kind " + parsed.kind());
        };
    }
}
