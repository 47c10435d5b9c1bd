package io.podswitch.fib;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A minimal QSBR for the tests: each reader bumps its counter between lookup batches (a quiescent
 * point: it holds no table entry then); the writer waits until every reader has bumped since a
 * snapshot, after which nothing a reader read before the snapshot can still be in use.
 */
final class ReaderQuiescence {
    private final AtomicLongArray quiescentStates;
    private volatile boolean stopped;

    ReaderQuiescence(int readers) {
        quiescentStates = new AtomicLongArray(readers);
    }

    void quiescent(int reader) {
        quiescentStates.setRelease(reader, quiescentStates.getPlain(reader) + 1);
    }

    void stop() {
        stopped = true;
    }

    boolean stopped() {
        return stopped;
    }

    /** Returns once every reader passed a quiescent point after this call began (or readers stopped). */
    void awaitGracePeriod() {
        long[] snapshot = new long[quiescentStates.length()];
        for (int i = 0; i < snapshot.length; i++) {
            snapshot[i] = quiescentStates.getAcquire(i);
        }
        for (int i = 0; i < snapshot.length; i++) {
            while (quiescentStates.getAcquire(i) == snapshot[i] && !stopped) {
                Thread.yield();
            }
        }
    }
}
