package io.podswitch.worker;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.*;

class QsbrTest {
    @Test
    void graceEndsOnlyWhenEveryOnlineWorkerReported() {
        Qsbr qsbr = new Qsbr(3);
        qsbr.online(0);
        qsbr.online(1);
        long token = qsbr.start();
        assertFalse(qsbr.check(token));
        qsbr.quiescent(0);
        assertFalse(qsbr.check(token), "worker 1 has not reported");
        qsbr.quiescent(1);
        assertTrue(qsbr.check(token), "worker 2 never came online and does not block");
        long next = qsbr.start();
        assertTrue(next > token);
        assertFalse(qsbr.check(next));
    }

    @Test
    void offlineWorkersDoNotBlockAndOnlineOnesStartAfterTheToken() {
        Qsbr qsbr = new Qsbr(2);
        qsbr.online(0);
        long token = qsbr.start();
        assertFalse(qsbr.check(token));
        qsbr.offline(0);
        assertTrue(qsbr.check(token), "an offline worker holds nothing");
        qsbr.quiescent(0);
        assertEquals(Qsbr.OFFLINE, qsbr.lastSeen(0), "quiescent while offline changes nothing");
        qsbr.online(1);
        assertTrue(qsbr.check(token), "a worker that came online after the token cannot see the old data");
    }

    @Test
    void synchronizeTimesOutWhenAWorkerNeverReports() {
        Qsbr qsbr = new Qsbr(1);
        qsbr.online(0);
        long t0 = System.nanoTime();
        assertFalse(qsbr.synchronize(20, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(20));
        assertThrows(IllegalArgumentException.class, () -> qsbr.online(1));
        assertThrows(IllegalArgumentException.class, () -> new Qsbr(0));
    }

    /**
     * The reclamation scenario: readers dereference a published object between quiescent points;
     * the writer swaps in a new one, waits for the grace period, then "frees" the old one (poisons
     * it). No reader may ever observe a poisoned object.
     */
    @Test
    void noReaderSeesReclaimedData() throws Exception {
        int readers = 2;
        Qsbr qsbr = new Qsbr(readers);
        final class Table {
            volatile boolean freed;
        }
        AtomicReference<Table> published = new AtomicReference<>(new Table());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicReferenceArray<Thread> threads = new AtomicReferenceArray<>(readers);
        for (int r = 0; r < readers; r++) {
            int id = r;
            Thread t = new Thread(() -> {
                qsbr.online(id);
                while (!stop.get()) {
                    for (int i = 0; i < 100; i++) {
                        Table table = published.get();
                        Thread.onSpinWait();
                        if (table.freed) {
                            failure.compareAndSet(null, "reader " + id + " saw a reclaimed table");
                        }
                    }
                    qsbr.quiescent(id);
                    Thread.yield(); // the test shares two cores with the writer
                }
                qsbr.offline(id);
            });
            threads.set(r, t);
            t.start();
        }
        int swaps = 0;
        for (int i = 0; i < 100; i++) {
            Table old = published.getAndSet(new Table());
            assertTrue(qsbr.synchronize(5, TimeUnit.SECONDS), "grace period ends while readers run");
            old.freed = true;
            swaps++;
        }
        stop.set(true);
        for (int r = 0; r < readers; r++) {
            threads.get(r).join(10_000);
        }
        assertNull(failure.get());
        assertEquals(100, swaps);
        assertTrue(qsbr.check(qsbr.start()), "all readers offline at the end");
    }
}
