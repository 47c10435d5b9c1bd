package io.podswitch.perf.sides;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/** CPU time of the forwarding threads, from {@link ThreadMXBean} (the JVM's per-thread CPU clock). */
final class WorkerCpuTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private WorkerCpuTime() {
    }

    /**
     * Sum of the threads' CPU time in nanoseconds; a thread that has ended counts 0, and so does
     * everything when the JVM cannot measure thread CPU time (the harness then reports 0 = unknown).
     */
    static long of(List<Thread> threads) {
        if (!THREADS.isThreadCpuTimeSupported()) {
            return 0;
        }
        long sum = 0;
        for (Thread t : threads) {
            long cpu = THREADS.getThreadCpuTime(t.threadId());
            if (cpu > 0) {
                sum += cpu;
            }
        }
        return sum;
    }
}
