package io.podswitch.stats;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code podswitch stats [--file F] [--watch [--interval-ms N] [--iterations N]] [--max-age-ms N]}:
 * prints every counter of the running switch with its value; with {@code --watch}, again every
 * interval with the per-second rate since the previous round (as AeronStat does).
 *
 * <p>Exit status: 0 success; 1 the file is missing, invalid or stale (its writer has not published
 * for more than {@code --max-age-ms}, default 5000); 2 bad arguments.
 */
public final class StatsCommand {
    static final long DEFAULT_INTERVAL_MS = 1000;
    static final long DEFAULT_MAX_AGE_MS = 5000;
    private static final String USAGE = "usage: podswitch stats [--file PATH] [--watch [--interval-ms N] [--iterations N]] [--max-age-ms N]";

    private StatsCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path file = Path.of(StatsFileLayout.DEFAULT_PATH);
        boolean watch = false;
        long intervalMs = DEFAULT_INTERVAL_MS;
        long iterations = Long.MAX_VALUE;
        long maxAgeMs = DEFAULT_MAX_AGE_MS;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--file" -> file = Path.of(value(args, ++i, "--file"));
                    case "--watch" -> watch = true;
                    case "--interval-ms" -> intervalMs = number(args, ++i, "--interval-ms", 10);
                    case "--iterations" -> iterations = number(args, ++i, "--iterations", 1);
                    case "--max-age-ms" -> maxAgeMs = number(args, ++i, "--max-age-ms", 1);
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("podswitch stats: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }

        StatsReader reader;
        try {
            reader = open(file, maxAgeMs);
        } catch (StatsFileException e) {
            err.println("podswitch stats: " + e.getMessage());
            return 1;
        }
        try {
            if (!watch) {
                print(reader, null, 0, out);
                return 0;
            }
            Map<String, Long> previous = reader.snapshot();
            long previousNs = System.nanoTime();
            for (long round = 0; round < iterations; round++) {
                Thread.sleep(intervalMs);
                if (reader.isStale(System.currentTimeMillis(), maxAgeMs)) {
                    // The writer may have restarted with a fresh file at the same path.
                    reader.close();
                    reader = open(file, maxAgeMs);
                    previous = reader.snapshot();
                    previousNs = System.nanoTime();
                    continue;
                }
                long nowNs = System.nanoTime();
                previous = print(reader, previous, nowNs - previousNs, out);
                previousNs = nowNs;
            }
            return 0;
        } catch (StatsFileException e) {
            err.println("podswitch stats: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            reader.close();
        }
    }

    private static StatsReader open(Path file, long maxAgeMs) {
        StatsReader reader = StatsReader.open(file);
        long now = System.currentTimeMillis();
        if (reader.isStale(now, maxAgeMs)) {
            String why = reader.writerAlive()
                    ? "pid " + reader.pid() + " is alive but has not published"
                    : "pid " + reader.pid() + " is not running here";
            String message = String.format(Locale.ROOT, "stats file %s is stale: last update %.1f s ago (%s)",
                    file, (now - reader.heartbeatMs()) / 1000.0, why);
            reader.close();
            throw new StatsFileException(message);
        }
        return reader;
    }

    /** Prints one block; with a previous snapshot also the rate per second. @return this snapshot */
    private static Map<String, Long> print(StatsReader reader, Map<String, Long> previous, long elapsedNs,
                                           PrintStream out) {
        long now = System.currentTimeMillis();
        Map<String, Long> current = reader.snapshot();
        out.printf(Locale.ROOT, "# podswitch stats %s pid %d up %.1f s updated %.1f s ago, %d counters%n",
                reader.path(), reader.pid(), (now - reader.startTimeMs()) / 1000.0,
                (now - reader.heartbeatMs()) / 1000.0, current.size());
        for (Map.Entry<String, Long> e : current.entrySet()) {
            if (previous == null) {
                out.printf(Locale.ROOT, "%-60s %20d%n", e.getKey(), e.getValue());
            } else {
                Long before = previous.get(e.getKey());
                double rate = before == null || elapsedNs <= 0 ? 0.0 : (e.getValue() - before) * 1e9 / elapsedNs;
                out.printf(Locale.ROOT, "%-60s %20d %18.1f/s%n", e.getKey(), e.getValue(), rate);
            }
        }
        out.flush();
        return current;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static long number(String[] args, int i, String option, long min) {
        String v = value(args, i, option);
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + v + "'");
        }
        if (n < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + n);
        }
        return n;
    }
}
