package io.podswitch.daemon.api;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The daemon's one control thread: a platform thread that runs every change of switch state (pod
 * wiring, IPAM, tables, stats publishing) one task at a time, so the single-writer tables have one
 * writer and requests never interleave. Connection threads (virtual) only parse and wait here.
 *
 * <p>A platform thread on purpose: namespace work ({@code setns}) must never run on a virtual thread
 * (it would move the carrier); {@code Netns.call} starts its own short-lived platform thread, which
 * this thread waits for.
 */
public final class ControlThread implements AutoCloseable {
    /** More queued requests than this and new ones are told to try again (CNI code 11). */
    public static final int MAX_PENDING = 256;

    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    public ControlThread() {
        executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = Thread.ofPlatform().name("podswitch-control").daemon(true).unstarted(task);
            thread = t;
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /** Is the caller the control thread? */
    public boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /** Thrown when the queue is full or the daemon is shutting down. */
    public static final class BusyException extends Exception {
        public BusyException(String message) {
            super(message);
        }
    }

    /**
     * Runs {@code task} on the control thread and waits for it (at most {@code timeoutMs}).
     * @throws BusyException when too many requests wait, or on shutdown
     * @throws ExecutionException wrapping what the task threw
     * @throws TimeoutException when the task did not finish in time (it still runs to completion)
     */
    public <T> T call(Callable<T> task, long timeoutMs) throws BusyException, ExecutionException, TimeoutException,
            InterruptedException {
        if (isCurrent()) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new ExecutionException(e);
            }
        }
        if (executor.getQueue().size() >= MAX_PENDING) {
            throw new BusyException(executor.getQueue().size() + " requests are waiting");
        }
        Future<T> future;
        try {
            future = executor.submit(task);
        } catch (RejectedExecutionException e) {
            throw new BusyException("podswitchd is shutting down");
        }
        return future.get(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Queues {@code task} on the control thread without waiting (the Kubernetes source's reconcilers: events
     * arrive on the client's threads, every table change happens here). A task that throws is logged by its
     * poster, not here: wrap what may fail. Silently dropped once the daemon shuts down.
     */
    public void post(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // shutting down: nothing to reconcile any more
        }
    }

    /**
     * Runs {@code task} every {@code periodMs} on the control thread (stats publishing). Cancel the
     * returned future on the control thread before freeing what the task touches: then it cannot run again.
     */
    public ScheduledFuture<?> every(long periodMs, Runnable task) {
        return executor.scheduleWithFixedDelay(task, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Stops accepting tasks and waits for the running one. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
