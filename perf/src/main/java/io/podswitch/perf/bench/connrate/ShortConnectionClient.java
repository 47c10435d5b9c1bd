package io.podswitch.perf.bench.connrate;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Many short TCP connections to one address, {@code --parallel} at a time: connect, send a short
 * request line, read the reply line (the backend's id), close with an RST (SO_LINGER 0, so neither
 * side keeps TIME_WAIT sockets and a long run does not exhaust the client's ports). Latency is
 * connect + request + reply, recorded in HdrHistogram (ns).
 *
 * <pre>
 *   ... ShortConnectionClient --target 10.96.0.10:80 --parallel 8 --duration-ms 10000 [--warmup-ms 1000]
 *   ... ShortConnectionClient --target 10.96.0.10:80 --parallel 8 --count 300
 *   ... ShortConnectionClient --target 10.244.0.3:7011 --parallel 1 --count 200 --gap-us 5000
 * </pre>
 * Duration mode starts connections until the end of the window (each thread at least one) and
 * counts those started after the warm-up; the window's length runs until the last of them finished (at least the duration), so a
 * stalled connection lengthens the window instead of vanishing. Count mode makes exactly
 * {@code --count} attempts; with {@code --gap-us} each thread pauses that long after every connection
 * (request/response traffic with idle gaps: the forwarder may fall idle in between, and the next
 * connection's latency includes waking it). Prints one {@link ConnectionRateResult} line.
 */
public final class ShortConnectionClient {

    static final byte[] REQUEST = "hello\n".getBytes(StandardCharsets.US_ASCII);
    private static final int TIMEOUT_MS = 3_000;

    private final InetSocketAddress target;

    ShortConnectionClient(InetSocketAddress target) {
        this.target = target;
    }

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        String target = a.string("--target", null);
        int parallel = a.intValue("--parallel", 1, 1024, 8);
        int durationMs = a.intValue("--duration-ms", 1, 3_600_000, -1);
        int warmupMs = a.intValue("--warmup-ms", 0, 600_000, 0);
        int count = a.intValue("--count", 1, 100_000_000, -1);
        int gapMicros = a.intValue("--gap-us", 0, 10_000_000, 0);
        if (target == null || (durationMs < 0) == (count < 0) || (gapMicros > 0 && count < 0)) {
            System.err.println("usage: ShortConnectionClient --target IP:PORT [--parallel N] "
                    + "(--duration-ms D [--warmup-ms W] | --count C [--gap-us G])");
            System.exit(2);
        }
        ShortConnectionClient client = new ShortConnectionClient(parseTarget(target));
        ConnectionRateResult r = count > 0 ? client.runCount(parallel, count, TimeUnit.MICROSECONDS.toNanos(gapMicros))
                : client.runTimed(parallel, TimeUnit.MILLISECONDS.toNanos(warmupMs), TimeUnit.MILLISECONDS.toNanos(durationMs));
        System.out.println(r.format());
    }

    static InetSocketAddress parseTarget(String t) {
        int colon = t.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--target needs IP:PORT (IPv6 as [addr]:port), got '" + t + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(t.substring(colon + 1)));
    }

    /** What one thread saw; merged at the end. */
    private static final class Tally {
        final Histogram latencyNanos = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Map<String, Long> backends = new TreeMap<>();
        long refused;
        long timeouts;
        long otherErrors;
        /** Connections started inside the measured window. */
        long attempts;
        /** When the last counted connection finished (System.nanoTime). */
        long lastEndNanos;
    }

    ConnectionRateResult runTimed(int parallel, long warmupNanos, long durationNanos) throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long measureTo = measureFrom + durationNanos;
        List<Tally> tallies = run(parallel, (tally, buffer) -> {
            while (true) {
                long t0 = System.nanoTime();
                if (t0 >= measureTo && tally.attempts > 0) {
                    return; // every thread makes at least one counted attempt, even on a stalled machine
                }
                boolean measured = t0 >= measureFrom;
                if (measured) {
                    tally.attempts++;
                }
                oneConnection(measured ? tally : null, buffer, t0);
            }
        });
        long end = measureTo;
        for (Tally t : tallies) {
            end = Math.max(end, t.lastEndNanos);
        }
        return merge(tallies, (end - measureFrom) / 1e9);
    }

    ConnectionRateResult runCount(int parallel, int count, long gapNanos) throws InterruptedException {
        AtomicInteger left = new AtomicInteger(count);
        long start = System.nanoTime();
        List<Tally> tallies = run(parallel, (tally, buffer) -> {
            while (left.getAndDecrement() > 0) {
                oneConnection(tally, buffer, System.nanoTime());
                pause(gapNanos);
            }
        });
        return merge(tallies, (System.nanoTime() - start) / 1e9);
    }

    private interface Loop {
        void run(Tally tally, byte[] buffer);
    }

    private static List<Tally> run(int parallel, Loop loop) throws InterruptedException {
        List<Tally> tallies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < parallel; i++) {
            Tally t = new Tally();
            tallies.add(t);
            threads.add(Thread.ofPlatform().name("conn-" + i).start(() -> loop.run(t, new byte[ShortConnectionServer.MAX_REQUEST])));
        }
        for (Thread t : threads) {
            t.join();
        }
        return tallies;
    }

    /** One connection started at {@code t0}; counted in {@code tally} (null: warm-up). The reply is the backend's id. */
    private void oneConnection(Tally tally, byte[] buffer, long t0) {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoLinger(true, 0);
            s.setSoTimeout(TIMEOUT_MS);
            s.connect(target, TIMEOUT_MS);
            s.getOutputStream().write(REQUEST);
            String id = readLine(s.getInputStream(), buffer);
            long t1 = System.nanoTime();
            if (tally != null) {
                tally.lastEndNanos = t1;
                if (id == null) {
                    tally.otherErrors++;
                } else {
                    tally.latencyNanos.recordValue(Math.min(t1 - t0, tally.latencyNanos.getHighestTrackableValue()));
                    tally.backends.merge(id, 1L, Long::sum);
                }
            }
        } catch (ConnectException e) {
            if (tally != null) {
                tally.refused++;
            }
            pause();
        } catch (SocketTimeoutException e) {
            if (tally != null) {
                tally.timeouts++;
            }
        } catch (IOException e) {
            if (tally != null) {
                tally.otherErrors++;
            }
            pause();
        }
    }

    /** Idles the thread for {@code nanos} (a park may return early: wait out the rest). */
    private static void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** After a failure, do not spin: a refused or reset connection fails in microseconds. */
    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(InputStream in, byte[] buffer) throws IOException {
        int filled = 0;
        while (filled < buffer.length) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                return null;
            }
            for (int i = filled; i < filled + n; i++) {
                if (buffer[i] == '\n') {
                    return new String(buffer, 0, i, StandardCharsets.US_ASCII);
                }
            }
            filled += n;
        }
        return null;
    }

    private static ConnectionRateResult merge(List<Tally> tallies, double seconds) {
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Map<String, Long> backends = new TreeMap<>();
        long refused = 0;
        long timeouts = 0;
        long other = 0;
        for (Tally t : tallies) {
            all.add(t.latencyNanos);
            t.backends.forEach((k, v) -> backends.merge(k, v, Long::sum));
            refused += t.refused;
            timeouts += t.timeouts;
            other += t.otherErrors;
        }
        long ok = all.getTotalCount();
        return new ConnectionRateResult(ok, seconds, ok == 0 ? 0 : all.getValueAtPercentile(50) / 1e3,
                ok == 0 ? 0 : all.getValueAtPercentile(99) / 1e3, refused, timeouts, other, backends);
    }
}
