package io.podswitch.worker;

import io.podswitch.port.Doorbell;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

/**
 * Bounded, lock-free control→worker command queue (JCTools MPSC array queue; any number of control
 * threads offer, the one worker drains). When the queue is full {@link #offer} returns false at once:
 * back-pressure goes to the control side, the worker is never made to wait. A command queued while
 * the worker sleeps (adaptive idling) rings its doorbell.
 */
public final class CommandQueue {
    private final MpscVarHandleArrayQueue<WorkerCommand> queue;
    private final int capacity;
    private final Doorbell doorbell;

    /** @param capacity rounded up to a power of two by the queue; at least 2 */
    public CommandQueue(int capacity) {
        this(capacity, null);
    }

    /** @param doorbell rung after every command queued (wakes a sleeping worker), or null */
    public CommandQueue(int capacity, Doorbell doorbell) {
        if (capacity < 2) {
            throw new IllegalArgumentException("command queue capacity must be at least 2: " + capacity);
        }
        this.queue = new MpscVarHandleArrayQueue<>(capacity);
        this.capacity = queue.capacity();
        this.doorbell = doorbell;
    }

    /** Control side. @return false when the queue is full (the command was not queued) */
    public boolean offer(WorkerCommand command) {
        if (command == null) {
            throw new IllegalArgumentException("command must not be null");
        }
        if (!queue.offer(command)) {
            return false;
        }
        if (doorbell != null) {
            doorbell.ring();
        }
        return true;
    }

    /**
     * Worker side: applies at most {@code limit} queued commands to {@code worker}, oldest first.
     * @return how many were applied
     */
    public int drain(Worker worker, int limit) {
        int applied = 0;
        while (applied < limit) {
            WorkerCommand command = queue.relaxedPoll();
            if (command == null) {
                break;
            }
            command.apply(worker);
            applied++;
        }
        return applied;
    }

    /** Commands waiting (a snapshot). */
    public int size() {
        return queue.size();
    }

    public int capacity() {
        return capacity;
    }
}
