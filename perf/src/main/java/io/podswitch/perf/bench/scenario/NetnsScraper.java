package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.topo.NetnsThreads;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus's part in the metrics scenario, in-process: a thread entered into a namespace asks
 * {@code GET /metrics} of 127.0.0.1 there every interval and reads the whole answer. The socket is opened
 * by that thread, so it belongs to the namespace ({@code setns} moves only the calling thread); a plain
 * socket rather than java.net.http, whose connections may be opened by its own executor threads, outside.
 */
final class NetnsScraper implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String netns;
    private final int port;
    private final Duration interval;
    private final AtomicLong scrapes = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile Exception failure;

    private NetnsScraper(String netns, int port, Duration interval) {
        this.netns = netns;
        this.port = port;
        this.interval = interval;
        this.thread = NetnsThreads.start(netns, "scraper-" + netns, this::loop);
    }

    /** Starts scraping {@code http://127.0.0.1:PORT/metrics} inside {@code netns} every {@code interval}. */
    static NetnsScraper start(String netns, int port, Duration interval) {
        return new NetnsScraper(netns, port, interval);
    }

    private void loop() {
        while (!stopped) {
            long t0 = System.nanoTime();
            try {
                scrapeOnce();
                scrapes.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                if (!stopped) {
                    failure = e;
                }
                return;
            }
            long left = interval.toNanos() - (System.nanoTime() - t0);
            try {
                if (left > 0) {
                    Thread.sleep(Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One scrape over HTTP/1.1 with {@code Connection: close}: the answer ends where the stream does. */
    private void scrapeOnce() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) TIMEOUT.toMillis());
            s.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: text/plain\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] answer = in.readAllBytes();
            String text = new String(answer, 0, Math.min(answer.length, 64), StandardCharsets.US_ASCII);
            String status = text.lines().findFirst().orElse("(nothing)");
            if (!status.startsWith("HTTP/1.1 200")) {
                throw new IOException("/metrics on 127.0.0.1:" + port + " in " + netns + " answered: " + status);
            }
        }
    }

    /** Completed scrapes so far. */
    long scrapes() {
        return scrapes.get();
    }

    /** Throws why scraping stopped, if it did: /metrics unreachable or answering other than 200. */
    void check() throws IOException {
        Exception e = failure;
        if (e != null) {
            throw new IOException("scraping /metrics in " + netns + " failed: " + e.getMessage(), e);
        }
        if (!thread.isAlive() && !stopped) {
            throw new IOException("the scraper in " + netns + " stopped (" + scrapes() + " scrapes)");
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(TIMEOUT.toMillis() * 2);
    }
}
