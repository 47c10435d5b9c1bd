package io.podswitch.worker;

import org.agrona.concurrent.IdleStrategy;

/**
 * Spin while busy, sleep on the queues' descriptors when idle — VPP's adaptive polling, DPDK's Rx
 * interrupt mode: quick to wake and frugal on a shared node.
 *
 * <pre>
 *   work ──► BUSY ──(no work)──► SPIN: Thread.onSpinWait, keep polling, up to spinNs after the last work
 *             ▲                     │ spin window over
 *             │                     ▼
 *             ├──(work)──────── ARMED: doorbell armed, one more duty cycle (Dekker: see Doorbell)
 *             │                     │ still nothing
 *             │                     ▼
 *             └──(woken)─────── SLEEP: Worker.sleep — epoll_wait on the queues' descriptors and
 *                                      the doorbell, QSBR offline, at most maxSleepMs (default 100;
 *                                      1 ms while a polled queue has no descriptor)
 * </pre>
 *
 * A packet that arrives within the spin window after the last one is polled as under {@code spin};
 * one that arrives after a longer gap wakes the worker through epoll, once, instead of waiting out a
 * park. One instance per worker thread; allocation free.
 */
final class AdaptiveIdleStrategy implements IdleStrategy {
    private static final long NOT_IDLE = Long.MIN_VALUE;

    private final Worker worker;
    private final long spinNs;
    private final int maxSleepMillis;
    private long idleSinceNs = NOT_IDLE;
    private boolean armed;

    AdaptiveIdleStrategy(Worker worker, long spinNs, int maxSleepMillis) {
        this.worker = worker;
        this.spinNs = spinNs;
        this.maxSleepMillis = maxSleepMillis;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        if (worker.stopping()) {
            reset();
            Thread.onSpinWait(); // the runner is being closed: never sleep again
            return;
        }
        if (armed) {
            // A whole duty cycle with the doorbell armed found nothing: nothing can be missed now.
            armed = false;
            idleSinceNs = NOT_IDLE;
            worker.sleep(maxSleepMillis);
            return;
        }
        long now = System.nanoTime();
        if (idleSinceNs == NOT_IDLE) {
            idleSinceNs = now;
        }
        if (now - idleSinceNs < spinNs) {
            Thread.onSpinWait();
            return;
        }
        worker.armSleep();
        armed = true;
    }

    @Override
    public void reset() {
        if (armed) {
            armed = false;
            worker.disarmSleep();
        }
        idleSinceNs = NOT_IDLE;
    }

    @Override
    public String alias() {
        return "adaptive";
    }
}
