package io.podswitch.worker;

import io.podswitch.port.Port;

/**
 * Gives a worker an RX queue to poll, or takes one away. The control thread offers it to the
 * worker's {@link CommandQueue} and may poll {@link #isDone()}: after a removal is done the worker
 * will never touch the queue again, so the port may be closed.
 */
public final class RxQueueCommand implements WorkerCommand {
    private static final int PENDING = 0;
    private static final int APPLIED = 1;
    private static final int REJECTED = 2;

    private final Port port;
    private final int queue;
    private final boolean add;
    private volatile int state = PENDING;

    private RxQueueCommand(Port port, int queue, boolean add) {
        if (port == null) {
            throw new IllegalArgumentException("port must not be null");
        }
        this.port = port;
        this.queue = queue;
        this.add = add;
    }

    public static RxQueueCommand add(Port port, int queue) {
        return new RxQueueCommand(port, queue, true);
    }

    public static RxQueueCommand remove(Port port, int queue) {
        return new RxQueueCommand(port, queue, false);
    }

    @Override
    public void apply(Worker worker) {
        boolean ok = add ? worker.addRxQueue(port, queue) : worker.removeRxQueue(port, queue);
        state = ok ? APPLIED : REJECTED;
    }

    /** True once the worker has applied (or rejected) the command. */
    public boolean isDone() {
        return state != PENDING;
    }

    /** True when applied; false while pending or when rejected (table full, already polled, not polled). */
    public boolean succeeded() {
        return state == APPLIED;
    }

    @Override
    public String toString() {
        return (add ? "add" : "remove") + " rx " + port.name() + "/" + queue;
    }
}
