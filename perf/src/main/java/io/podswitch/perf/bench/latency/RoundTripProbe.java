package io.podswitch.perf.bench.latency;

import io.podswitch.perf.topo.NetnsThreads;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate UDP request/response from a client namespace to a {@link UdpEchoServer}.
 *
 * <p>Coordinated omission: request {@code i} is due at {@code start + i × interval}. Its latency
 * is measured from that due time, not from when it was actually sent, so a stall that delays the
 * following requests shows up in all of them (as the users waiting behind it would see it) instead
 * of vanishing from the record. A request unanswered within the timeout is counted as lost.
 *
 * <pre>
 * request/response datagram (64 bytes):
 *   0        8                                  64
 *   | seq (8) | zero padding                      |
 * </pre>
 */
public final class RoundTripProbe {

    public static final int PAYLOAD = 64;
    private static final long HIGHEST_NANOS = Duration.ofSeconds(10).toNanos();

    /** The outcome of one probe run. */
    public record Result(Histogram histogram, long sent, long lost) {
        /** Percentile (0..100) in microseconds. */
        public double micros(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1e3;
        }

        public double maxMicros() {
            return histogram.getMaxValue() / 1e3;
        }
    }

    private RoundTripProbe() {
    }

    /**
     * @param ratePerSecond requests per second of the schedule
     * @param timeout       how long to wait for one response before counting it lost
     */
    public static Result run(String clientNs, String serverIp, int port, int ratePerSecond, Duration duration,
                             Duration timeout) throws Exception {
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("rate must be at least 1 request/s, got " + ratePerSecond);
        }
        DatagramSocket socket = NetnsThreads.call(clientNs, DatagramSocket::new);
        try (socket) {
            socket.connect(new InetSocketAddress(serverIp, port));
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            return measure(socket, ratePerSecond, duration, timeout);
        }
    }

    /** Runs the schedule on a connected {@code socket} from the calling thread. */
    static Result measure(DatagramSocket socket, int rate, Duration duration, Duration timeout)
            throws IOException {
        Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        long interval = 1_000_000_000L / rate;
        long count = Math.max(1, duration.toNanos() / interval);
        byte[] out = new byte[PAYLOAD];
        byte[] in = new byte[PAYLOAD];
        DatagramPacket request = new DatagramPacket(out, PAYLOAD);
        DatagramPacket response = new DatagramPacket(in, PAYLOAD);
        ByteBuffer outView = ByteBuffer.wrap(out);
        ByteBuffer inView = ByteBuffer.wrap(in);
        long lost = 0;
        long start = System.nanoTime();
        for (long seq = 0; seq < count; seq++) {
            long due = start + seq * interval;
            awaitDue(due);
            outView.putLong(0, seq);
            socket.send(request);
            if (!awaitResponse(socket, response, inView, seq, timeout)) {
                lost++;
                continue;
            }
            histogram.recordValue(Math.min(HIGHEST_NANOS, System.nanoTime() - due));
        }
        return new Result(histogram, count, lost);
    }

    /**
     * Parks until {@code due}. A park may return early — spuriously, or at once when the thread holds a
     * permit, e.g. the one {@code CompletableFuture.complete} leaves on the thread that waited in
     * {@link NetnsThreads#call} just before the schedule starts — so wait out the rest: a request sent
     * before its due time could be answered before it, and its latency would be negative.
     */
    private static void awaitDue(long due) {
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Waits for the response to {@code seq}, dropping late answers to earlier requests. */
    private static boolean awaitResponse(DatagramSocket socket, DatagramPacket response, ByteBuffer view, long seq,
                                         Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                response.setLength(PAYLOAD);
                socket.receive(response);
            } catch (SocketTimeoutException e) {
                return false;
            }
            if (response.getLength() >= 8 && view.getLong(0) == seq) {
                return true;
            }
        }
        return false;
    }
}
