package io.podswitch.perf.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuTimesTest {

    private static final String STAT = """
            cpu  1000 20 300 5000 40 6 70 8 9 0
            cpu0 500 10 150 2500 20 3 35 4 9 0
            intr 12345 0 0
            ctxt 999
            """;

    @Test
    void readsTheAggregateLineInUserHzTicks() {
        CpuTimes t = CpuTimes.parse(STAT);
        long tick = CpuTimes.NS_PER_TICK;
        assertEquals(1020 * tick, t.userNs(), "user + nice (guest is inside user already)");
        assertEquals(300 * tick, t.systemNs());
        assertEquals(70 * tick, t.softirqNs());
        assertEquals(6 * tick, t.irqNs());
        assertEquals(5040 * tick, t.idleNs(), "idle + iowait");
        assertEquals(8 * tick, t.stealNs());
        assertEquals((1020 + 300 + 70 + 6) * tick, t.busyNs());
        assertEquals((1020 + 300 + 70 + 6 + 5040 + 8) * tick, t.totalNs());
    }

    @Test
    void refusesTextWithoutAnAggregateLine() {
        assertThrows(IllegalArgumentException.class, () -> CpuTimes.parse("cpu0 1 2 3 4 5 6 7 8\n"));
        assertThrows(IllegalArgumentException.class, () -> CpuTimes.parse("cpu  1 2 3\n"));
        assertThrows(IllegalArgumentException.class, () -> CpuTimes.parse("cpu  1 2 x 4 5 6 7 8\n"));
    }

    @Test
    void costPerGigabyteIsTheSpentTimeOverTheBytes() {
        long s = 1_000_000_000L;
        CpuTimes before = new CpuTimes(0, 0, 0, 0, 0, 0);
        // 2 CPUs for 1 s: 0.5 s user, 0.8 s system, 0.2 s softirq, 0.5 s idle; 4 GB moved.
        CpuTimes after = new CpuTimes(s / 2, 8 * s / 10, 2 * s / 10, 0, s / 2, 0);
        CpuCost c = CpuCost.between(before, after, 4e9, s);
        assertEquals(375.0, c.busyMsPerGb(), 1e-9);
        assertEquals(125.0, c.userMsPerGb(), 1e-9);
        assertEquals(200.0, c.systemMsPerGb(), 1e-9);
        assertEquals(50.0, c.softirqMsPerGb(), 1e-9);
        assertEquals(250.0, c.forwarderMsPerGb(), 1e-9);
        assertEquals(0.75, c.busyShare(), 1e-9);
        assertTrue(Double.isNaN(CpuCost.between(before, after, 4e9, -1).forwarderMsPerGb()), "no forwarding process");
        assertThrows(IllegalArgumentException.class, () -> CpuCost.between(before, after, 0, -1));
    }

    @Test
    void bytesOfAThroughputOverATime() {
        assertEquals(6.25e9, CpuCost.bytesAt(10, 5_000_000_000L), 1);
    }

    @Test
    void theMachineClockMovesForward() throws Exception {
        CpuTimes a = CpuTimes.read();
        long end = System.nanoTime() + 120_000_000L;
        while (System.nanoTime() < end) {
            Thread.onSpinWait(); // busy: at least one tick of user time somewhere
        }
        CpuTimes d = CpuTimes.read().minus(a);
        assertTrue(d.totalNs() > 0 && d.busyNs() > 0, d.toString());
        assertTrue(d.userNs() >= 0 && d.systemNs() >= 0 && d.softirqNs() >= 0 && d.idleNs() >= 0, d.toString());
    }
}
