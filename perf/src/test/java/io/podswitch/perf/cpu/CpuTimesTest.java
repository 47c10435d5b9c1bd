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
    void readsAProcessStatLineWhoseNameHoldsSpacesAndParentheses() {
        String line = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194304 100 0 0 0 150 30 7 2 20 0 12 0 500 0 0";
        ProcessTreeTimes t = ProcessTreeTimes.parse(line);
        long tick = CpuTimes.NS_PER_TICK;
        assertEquals(new ProcessTreeTimes(150 * tick, 30 * tick, 7 * tick, 2 * tick), t);
        assertEquals(157 * tick, t.userNs());
        assertEquals(32 * tick, t.systemNs());
        assertThrows(IllegalArgumentException.class, () -> ProcessTreeTimes.parse("4242 no parenthesis 1 2 3"));
        assertThrows(IllegalArgumentException.class, () -> ProcessTreeTimes.parse("4242 (short) S 1 2 3"));
    }

    @Test
    void costPerGigabyteCountsTheProcessTreeAndTheKernelsPacketWork() {
        long s = 1_000_000_000L;
        CpuSnapshot before = new CpuSnapshot(new CpuTimes(0, 0, 0, 0, 0, 0), new ProcessTreeTimes(0, 0, 0, 0), 0);
        // 2 CPUs for 1 s: the machine 0.9 s user (0.4 s of it someone else's), 0.6 s system, 0.2 s softirq,
        // 0.3 s idle; the bench 0.1 s user + 0.3 s system, iperf3 0.4 + 0.2, ksoftirqd 0.1; 4 GB moved.
        CpuSnapshot after = new CpuSnapshot(new CpuTimes(9 * s / 10, 6 * s / 10, 2 * s / 10, 0, 3 * s / 10, 0),
                new ProcessTreeTimes(s / 10, 3 * s / 10, 4 * s / 10, 2 * s / 10), s / 10);
        CpuCost c = CpuCost.between(before, after, 4e9, 3 * s / 10);
        assertEquals(125.0, c.userMsPerGb(), 1e-9, "bench + iperf3 user, not the other process");
        assertEquals(150.0, c.systemMsPerGb(), 1e-9, "bench + iperf3 system + ksoftirqd");
        assertEquals(50.0, c.softirqMsPerGb(), 1e-9);
        assertEquals(325.0, c.busyMsPerGb(), 1e-9);
        assertEquals(75.0, c.forwarderMsPerGb(), 1e-9);
        assertEquals(0.85, c.busyShare(), 1e-9, "the whole machine's busy share");
        assertTrue(Double.isNaN(CpuCost.between(before, after, 4e9, -1).forwarderMsPerGb()), "no forwarding process");
        assertThrows(IllegalArgumentException.class, () -> CpuCost.between(before, after, 0, -1));
    }

    @Test
    void findsTheKsoftirqdThreadsAndTheProcessClockMoves() throws Exception {
        KernelNetThreads k = KernelNetThreads.find();
        assertTrue(k.count() >= 1, "one ksoftirqd per CPU");
        assertTrue(k.cpuNs() >= 0);
        ProcessTreeTimes a = ProcessTreeTimes.read();
        long end = System.nanoTime() + 120_000_000L;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        ProcessTreeTimes d = ProcessTreeTimes.read().minus(a);
        assertTrue(d.selfUserNs() + d.selfSystemNs() > 0, d.toString());
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
