package io.podswitch.perf.bench.cnistart;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * CPU time (user + system) of this JVM's terminated and waited-for children, from
 * {@code getrusage(RUSAGE_CHILDREN)} through FFM, in microseconds. The difference across one child's
 * life is that child's CPU time, as long as no other child of this JVM ends meanwhile.
 *
 * <pre>
 *   struct rusage { struct timeval ru_utime;  // +0:  tv_sec (8), tv_usec (8)
 *                   struct timeval ru_stime;  // +16: tv_sec (8), tv_usec (8)
 *                   long ru_maxrss; …          // +32 … 144 bytes in all on x86-64 Linux }
 * </pre>
 */
final class ChildCpuTime {
    private static final int RUSAGE_CHILDREN = -1;
    private static final long RUSAGE_SIZE = 144;
    private static final MethodHandle GETRUSAGE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getrusage").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private ChildCpuTime() {
    }

    static long micros() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment usage = arena.allocate(RUSAGE_SIZE, 8);
            int rc = (int) GETRUSAGE.invokeExact(RUSAGE_CHILDREN, usage);
            if (rc != 0) {
                throw new IllegalStateException("getrusage(RUSAGE_CHILDREN) failed");
            }
            return usage.get(ValueLayout.JAVA_LONG, 0) * 1_000_000 + usage.get(ValueLayout.JAVA_LONG, 8)
                    + usage.get(ValueLayout.JAVA_LONG, 16) * 1_000_000 + usage.get(ValueLayout.JAVA_LONG, 24);
        } catch (Throwable e) {
            throw new IllegalStateException("getrusage", e);
        }
    }
}
