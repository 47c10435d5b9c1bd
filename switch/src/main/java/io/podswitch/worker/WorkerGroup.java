package io.podswitch.worker;

import io.podswitch.stats.CounterSource;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a set of {@link Worker}s, each on its own {@link AgentRunner} thread named
 * {@code podswitch-worker-N} with the idle strategy from its config (and the CPU pinning its
 * {@code onStart} applies). {@link #close()} stops them all: every runner leaves its loop, and each
 * worker, on its own thread, flushes its processor and returns its cached frames to the pool.
 *
 * <p>Errors a worker throws (a bug: the data path does not throw) go to the error handler and the
 * worker keeps running, as AgentRunner does.
 */
public final class WorkerGroup implements AutoCloseable {
    private final List<Worker> workers;
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean closed;

    private WorkerGroup(List<Worker> workers) {
        this.workers = List.copyOf(workers);
    }

    /** Starts one thread per worker. @throws IllegalArgumentException for duplicate worker ids */
    public static WorkerGroup start(List<Worker> workers, ErrorHandler errorHandler) {
        long distinct = workers.stream().mapToInt(Worker::id).distinct().count();
        if (distinct != workers.size()) {
            throw new IllegalArgumentException("worker ids must be distinct");
        }
        WorkerGroup group = new WorkerGroup(workers);
        for (Worker worker : group.workers) {
            AgentRunner runner = new AgentRunner(worker.newIdleStrategy(),
                    errorHandler, null, worker);
            group.runners.add(runner);
            group.threads.add(AgentRunner.startOnThread(runner, task -> {
                Thread t = new Thread(task, worker.roleName());
                t.setDaemon(true);
                return t;
            }));
        }
        return group;
    }

    public List<Worker> workers() {
        return workers;
    }

    /** The worker threads, in worker order (for allocation accounting and diagnostics). */
    public List<Thread> threads() {
        return List.copyOf(threads);
    }

    /** All workers' counters, for the stats publisher. */
    public List<CounterSource> counterSources() {
        return List.copyOf(workers);
    }

    /** Stops every worker and waits for its thread to finish its {@code onClose}. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Worker worker : workers) {
            worker.prepareToStop(); // a sleeping worker would not see its runner stop
        }
        for (AgentRunner runner : runners) {
            runner.close();
        }
    }
}
