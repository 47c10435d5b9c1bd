package io.podswitch.worker;

/**
 * A small instruction from the control thread to one worker (start polling a queue, swap a table,
 * ...). The control thread allocates it and offers it to the worker's {@link CommandQueue}; the
 * worker applies it on its own thread in the slow tick, where it may change worker-private state
 * without locks. {@link #apply} must not allocate, block or throw: it runs on the data-path thread.
 */
@FunctionalInterface
public interface WorkerCommand {
    void apply(Worker worker);
}
