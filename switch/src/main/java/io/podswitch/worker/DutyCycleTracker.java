package io.podswitch.worker;

/**
 * Duty-cycle stall tracking, like Aeron's {@code DutyCycleStallTracker}: the longest cycle seen and
 * how many cycles exceeded each of a few thresholds (a coarse histogram). Worker thread only; the
 * worker copies the values out in its slow tick.
 *
 * <p>A cycle is measured from the start of one {@code doWork} to the start of the next, and only when
 * the first one did work: then the idle strategy returned at once, so the interval is processing plus
 * anything that interrupted it (GC, preemption, page faults) — the time packets waited in RX rings.
 * After an idle cycle the interval includes the deliberate idle park and is not counted.
 */
public final class DutyCycleTracker {
    /** Stall thresholds, in nanoseconds: 10 µs, 100 µs, 1 ms, 10 ms. */
    public static final long[] THRESHOLDS_NS = {10_000L, 100_000L, 1_000_000L, 10_000_000L};
    /** Counter name suffixes matching {@link #THRESHOLDS_NS}. */
    public static final String[] THRESHOLD_NAMES = {"10us", "100us", "1ms", "10ms"};

    private final long[] overThreshold = new long[THRESHOLDS_NS.length];
    private long maxCycleNs;
    private long measured;
    private long lastStartNs;
    private boolean lastDidWork;

    /** Called at the start of every cycle with the cycle's cached clock. */
    public void cycleStart(long nowNs) {
        if (lastDidWork) {
            long cycleNs = nowNs - lastStartNs;
            measured++;
            // Branch-free on purpose: a stall is rare, and a branch the JIT has never seen taken
            // would cost a deoptimisation (and a recompile) exactly when the worker is already late.
            maxCycleNs = Math.max(maxCycleNs, cycleNs);
            for (int i = 0; i < THRESHOLDS_NS.length; i++) {
                overThreshold[i] += (THRESHOLDS_NS[i] - cycleNs) >>> 63; // 1 when cycleNs > threshold
            }
        }
        lastStartNs = nowNs;
    }

    /** Called at the end of every cycle: whether it did work (and so whether the next start measures it). */
    public void cycleEnd(boolean didWork) {
        lastDidWork = didWork;
    }

    /** Forgets the running cycle (after a pause such as start-up, which is not a stall). */
    public void reset() {
        lastDidWork = false;
    }

    public long maxCycleNs() {
        return maxCycleNs;
    }

    /** Busy cycles measured so far. */
    public long measuredCycles() {
        return measured;
    }

    /** Cycles longer than {@code THRESHOLDS_NS[index]}. */
    public long cyclesOver(int index) {
        return overThreshold[index];
    }
}
