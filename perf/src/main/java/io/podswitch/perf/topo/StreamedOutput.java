package io.podswitch.perf.topo;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process's output read as it comes: a reader thread appends every chunk the moment it arrives, so a
 * caller can wait, bounded, for a line while the process is still running ({@link #awaitLine}), look at
 * what arrived so far ({@link #soFar}), or take the whole output once the stream ended ({@link #all}).
 * Waiting on the whole output instead blocks until the process exits — the BenchSmokeTest hang of a
 * testpmd wait built that way.
 */
final class StreamedOutput {

    private final StringBuilder text = new StringBuilder();
    private final Thread reader;
    private boolean ended;

    StreamedOutput(InputStream in, String name) {
        reader = Thread.ofPlatform().daemon().name(name).start(() -> pump(in));
    }

    private void pump(InputStream in) {
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            char[] buf = new char[8192];
            int n;
            while ((n = r.read(buf)) >= 0) {
                synchronized (this) {
                    text.append(buf, 0, n);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the pipe broke: the process is gone, what arrived is all there is
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /**
     * The first line (without its terminator) matching {@code wanted}, waiting at most {@code timeout} for
     * it to arrive; empty on timeout or when the stream ended without one (see {@link #ended}). A last line
     * without a newline only counts once the stream has ended, so a match is never a line cut in half.
     */
    synchronized Optional<String> awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int scanned = 0;
        while (true) {
            int newline;
            while ((newline = text.indexOf("\n", scanned)) >= 0) {
                String line = stripCarriageReturn(text.substring(scanned, newline));
                scanned = newline + 1;
                if (wanted.test(line)) {
                    return Optional.of(line);
                }
            }
            if (ended) {
                String last = text.substring(scanned);
                return !last.isEmpty() && wanted.test(last) ? Optional.of(last) : Optional.empty();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    private static String stripCarriageReturn(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** True once the stream reached its end (the process closed it, normally by exiting). */
    synchronized boolean ended() {
        return ended;
    }

    /** What arrived so far, without waiting. */
    synchronized String soFar() {
        return text.toString();
    }

    /** The whole output: waits for the end of the stream (the process's exit). */
    String all() {
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return soFar();
    }
}
