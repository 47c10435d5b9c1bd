package io.podswitch.perf.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Progress lines on stderr during long runs, e.g.
 * {@code [3/12] tap-forward 64B rep 2/5 — ~1m20s left}. The estimate is the planned steps still to
 * come times the time one step takes with the current settings; it is a guide, not a promise.
 */
public final class Progress {

    private final PrintStream err;
    private final LongSupplier nanoClock;
    private int totalSteps;
    private int step;
    private Duration perStep = Duration.ZERO;
    private Duration repetition = Duration.ZERO;

    public Progress(PrintStream err, LongSupplier nanoClock) {
        this.err = err;
        this.nanoClock = nanoClock;
    }

    public void plan(int steps, Duration stepDuration, Duration repetitionDuration) {
        this.totalSteps = Math.max(steps, 1);
        this.perStep = stepDuration;
        this.repetition = repetitionDuration;
    }

    /** A new step starts; if scenarios make more steps than planned the total grows with them. */
    void startStep() {
        step++;
        if (step > totalSteps) {
            totalSteps = step;
        }
    }

    void repetition(String label, String phase, int rep, int reps) {
        Duration left = perStep.multipliedBy(totalSteps - step).plus(repetition.multipliedBy(reps - rep + 1L));
        err.println("[" + step + "/" + totalSteps + "] " + label + " " + phase + (reps > 0 ? " " + rep + "/" + reps : "")
                + " — ~" + human(left) + " left");
    }

    void message(String text) {
        err.println(text);
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    static String human(Duration d) {
        long s = Math.max(0, (d.toMillis() + 999) / 1000);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format("%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format("%02d", (s % 3600) / 60) + "m";
    }
}
