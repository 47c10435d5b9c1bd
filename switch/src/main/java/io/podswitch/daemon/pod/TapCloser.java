package io.podswitch.daemon.pod;

import io.podswitch.daemon.DaemonLog;
import io.podswitch.port.tap.TapPort;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes the TAPs of deleted pods on a thread of its own, so that DEL answers without waiting for the
 * kernel to tear the device down: closing the last descriptor of a non-persistent TAP unregisters it,
 * and that waits for RCU grace periods under the RTNL lock — 17–29 ms on the development VM, two
 * thirds of the daemon's DEL (docs/benchmarks-cni.md).
 *
 * <p>Safe across kill -9 without writing anything down: the caller has taken the port out of the data
 * path and cleared its persistence ({@link TapPort#clearPersistence}) before handing it over, so the
 * device lives only as long as the descriptor. If podswitchd dies before the close, the kernel closes
 * the descriptor and the device goes all the same.
 *
 * <p>Until it is closed the interface stays in the pod's namespace, but the switch no longer reads from
 * or forwards to it, and its addresses are free in IPAM. An ADD or DEL of the same namespace and interface name first waits for it
 * ({@link #awaitClosed}), so a runtime that re-adds at once never meets the old TAP. At most
 * {@link #MAX_PENDING} closes wait; beyond that the caller closes the TAP itself (back-pressure).
 * Control thread only, except the closing thread itself.
 */
final class TapCloser implements AutoCloseable {
    static final int MAX_PENDING = 64;
    private static final long SHUTDOWN_WAIT_SECONDS = 30;

    private final ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), task -> Thread.ofPlatform().name("podswitch-tap-closer").daemon(true)
                    .unstarted(task));
    /** Closes not yet done, by namespace path and interface name. */
    private final ConcurrentHashMap<String, Future<?>> pending = new ConcurrentHashMap<>();

    /** Closes {@code tap} soon, on the closing thread; its persistence must already be cleared. */
    void closeLater(String netns, String ifName, TapPort tap) {
        if (tap.persistent()) {
            throw new IllegalStateException("TAP " + tap.name() + " is still persistent: it would outlive a crash");
        }
        String key = key(netns, ifName);
        awaitClosed(key);
        if (thread.getQueue().size() >= MAX_PENDING) {
            tap.close();
            return;
        }
        FutureTask<Void> close = new FutureTask<>(tap::close, null);
        pending.put(key, close);
        try {
            thread.execute(() -> {
                try {
                    close.run();
                } finally {
                    pending.remove(key, close);
                }
            });
        } catch (RejectedExecutionException e) {
            pending.remove(key, close);
            tap.close(); // shutting down
        }
    }

    /** Returns once no TAP named {@code ifName} in {@code netns} is waiting to be closed. */
    void awaitClosed(String netns, String ifName) {
        awaitClosed(key(netns, ifName));
    }

    private void awaitClosed(String key) {
        Future<?> close = pending.get(key);
        if (close == null) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    close.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    DaemonLog.warn("closing the TAP of " + key.replace('\0', ' ') + " failed", e.getCause());
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String key(String netns, String ifName) {
        return netns + '\0' + ifName;
    }

    /** Closes what waits, then stops the thread. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                DaemonLog.warn(pending.size() + " pod TAP(s) still closing at shutdown", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
