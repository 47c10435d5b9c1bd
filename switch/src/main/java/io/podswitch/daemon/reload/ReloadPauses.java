package io.podswitch.daemon.reload;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * What else the JVM did while a reload ran, for its log line: the garbage collections that ended in it (count and
 * their time) and the JIT compilers' time. A reload that took ten times its usual time on a loaded node is then
 * told apart: a young-GC pause, the JIT still compiling the parser, or neither (the CPU was somebody else's).
 * Control thread, once per reload: a handful of MXBean reads, nothing on the data path.
 */
final class ReloadPauses {
    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private ReloadPauses() {
    }

    /** The counters at a reload's start. */
    record Mark(long collections, long collectionMillis, long jitMillis) {
        /** "GC 1 in 12 ms, JIT 30 ms" since this mark. */
        String since() {
            Mark now = mark();
            return String.format(Locale.ROOT, "meanwhile GC %d in %d ms, JIT %d ms", now.collections - collections,
                    now.collectionMillis - collectionMillis, now.jitMillis - jitMillis);
        }
    }

    static Mark mark() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : COLLECTORS) {
            // G1 counts its concurrent cycles as a collector too; their time is not a pause of this thread.
            if (gc.getName().contains("Concurrent")) {
                continue;
            }
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        long jit = JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
        return new Mark(count, millis, jit);
    }
}
