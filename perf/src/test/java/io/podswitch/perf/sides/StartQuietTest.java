package io.podswitch.perf.sides;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bench waits for started daemons to go quiet, and no longer than its bound. */
class StartQuietTest {
    private final AtomicLong clock = new AtomicLong();
    private final AtomicLong cpu = new AtomicLong();

    /** Every pause advances the clock by its length and the daemons' CPU by {@code cores} of it. */
    private StartQuiet.Pause busy(double... cores) {
        int[] i = {0};
        return n -> {
            double c = cores[Math.min(i[0]++, cores.length - 1)];
            clock.addAndGet(n);
            cpu.addAndGet((long) (n * c));
        };
    }

    @Test
    void waitsWhileTheDaemonsUseACoreAndStopsWhenTheyGoQuiet() throws Exception {
        StartQuiet.Waited w = StartQuiet.await(cpu::get, clock::get, busy(1.1, 0.9, 0.5, 0.05));
        assertTrue(w.quiet());
        assertEquals(4 * StartQuiet.WINDOW_NANOS, w.nanos());
        assertEquals(0.05, w.cores(), 1e-9);
    }

    @Test
    void alreadyQuietCostsOneWindow() throws Exception {
        assertEquals(StartQuiet.WINDOW_NANOS, StartQuiet.await(cpu::get, clock::get, busy(0.1)).nanos());
    }

    @Test
    void aDaemonThatStaysBusyIsMeasuredAfterTheBound() throws Exception {
        StartQuiet.Waited w = StartQuiet.await(cpu::get, clock::get, busy(1.0));
        assertFalse(w.quiet());
        assertEquals(StartQuiet.MAX_NANOS, w.nanos());
    }
}
