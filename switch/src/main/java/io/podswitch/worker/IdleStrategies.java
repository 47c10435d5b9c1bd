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
 *   <li>{@code spin}: busy spin with {@code Thread.onSpinWait} — lowest latency, burns a dedicated core;</li>
 *   <li>{@code backoff} (default): spin, then yield, then park 1 µs doubling up to 1 ms — for shared
 *       nodes and tests; {@code backoff:MAXPARKNS} sets the longest park;</li>
 *   <li>{@code yield}: {@code Thread.yield()} when idle;</li>
 *   <li>{@code sleep} / {@code sleep:NS}: park for a fixed time (default 100 µs) when idle;</li>
 *   <li>{@code noop}: never idle (benchmarks that drive the loop themselves).</li>
 * </ul>
 * Each call to {@link #create} returns a new instance: idle strategies keep state and are per thread.
 */
public final class IdleStrategies {
    public static final String DEFAULT = "backoff";
    private static final long BACKOFF_MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long BACKOFF_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SLEEP_DEFAULT_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private IdleStrategies() {
    }

    /** A parsed spec: the kind and its optional nanosecond parameter. */
    public record Spec(String kind, long nanos) {
    }

    /** Checks a spec without creating anything. @throws IllegalArgumentException naming what is wrong */
    public static Spec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("idle strategy missing; expected one of spin, backoff[:maxParkNs], yield, sleep[:ns], noop");
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
            case "backoff" -> new Spec(kind, arg == null ? BACKOFF_MAX_PARK_NS : nanos(spec, arg, BACKOFF_MIN_PARK_NS));
            case "sleep" -> new Spec(kind, arg == null ? SLEEP_DEFAULT_NS : nanos(spec, arg, 1));
            default -> throw new IllegalArgumentException("unknown idle strategy '" + spec
                    + "'; expected one of spin, backoff[:maxParkNs], yield, sleep[:ns], noop");
        };
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

    /** A fresh idle strategy for one thread. @throws IllegalArgumentException for a bad spec */
    public static IdleStrategy create(String spec) {
        Spec parsed = parse(spec);
        return switch (parsed.kind()) {
            case "spin" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            case "noop" -> new NoOpIdleStrategy();
            case "backoff" -> new BackoffIdleStrategy(100, 10, BACKOFF_MIN_PARK_NS, parsed.nanos());
            case "sleep" -> new SleepingIdleStrategy(parsed.nanos());
            default -> throw new IllegalStateException("parse() accepted unknown kind " + parsed.kind());
        };
    }
}
