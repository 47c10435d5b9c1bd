package io.podswitch.perf.bench.connrate;

import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link ShortConnectionClient} measured, as the one line it prints and the scenario parses:
 * <pre>
 *   connrate ok=41230 seconds=10.000 p50_us=181.2 p99_us=950.1 refused=0 timeouts=0 errors=0 backends=b1:13801,b2:13700,b3:13729
 * </pre>
 *
 * @param ok       connections that completed (reply read) inside the measured window
 * @param refused  connection attempts answered with an RST (or ICMP unreachable)
 * @param backends replies per backend id
 */
public record ConnectionRateResult(long ok, double seconds, double p50Micros, double p99Micros, long refused,
                                   long timeouts, long errors, Map<String, Long> backends) {

    private static final String PREFIX = "connrate ";

    public ConnectionRateResult {
        backends = Collections.unmodifiableMap(new TreeMap<>(backends));
    }

    /** Completed connections per second. */
    public double perSecond() {
        return seconds <= 0 ? 0 : ok / seconds;
    }

    String format() {
        StringBuilder b = new StringBuilder();
        backends.forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append(':').append(v));
        return String.format(Locale.ROOT, "%sok=%d seconds=%.3f p50_us=%.1f p99_us=%.1f refused=%d timeouts=%d errors=%d backends=%s",
                PREFIX, ok, seconds, p50Micros, p99Micros, refused, timeouts, errors, b);
    }

    /** Finds the result line in the client's stdout. */
    public static ConnectionRateResult parse(String stdout) throws IOException {
        for (String line : stdout.split("\n")) {
            if (line.startsWith(PREFIX)) {
                return parseLine(line.substring(PREFIX.length()).strip());
            }
        }
        throw new IOException("no '" + PREFIX.strip() + "' line in the client's output: "
                + (stdout.length() > 300 ? stdout.substring(0, 300) + "…" : stdout));
    }

    private static ConnectionRateResult parseLine(String line) throws IOException {
        Map<String, String> f = new HashMap<>();
        for (String word : line.split(" ")) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new IOException("bad field '" + word + "' in connrate line");
            }
            f.put(word.substring(0, eq), word.substring(eq + 1));
        }
        try {
            Map<String, Long> backends = new TreeMap<>();
            String list = f.getOrDefault("backends", "");
            if (!list.isEmpty()) {
                for (String pair : list.split(",")) {
                    int colon = pair.lastIndexOf(':');
                    backends.put(pair.substring(0, colon), Long.parseLong(pair.substring(colon + 1)));
                }
            }
            return new ConnectionRateResult(Long.parseLong(need(f, "ok")), Double.parseDouble(need(f, "seconds")),
                    Double.parseDouble(need(f, "p50_us")), Double.parseDouble(need(f, "p99_us")),
                    Long.parseLong(need(f, "refused")), Long.parseLong(need(f, "timeouts")),
                    Long.parseLong(need(f, "errors")), backends);
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IOException("bad number in connrate line '" + line + "': " + e.getMessage(), e);
        }
    }

    private static String need(Map<String, String> f, String key) throws IOException {
        String v = f.get(key);
        if (v == null) {
            throw new IOException("connrate line has no '" + key + "'");
        }
        return v;
    }
}
