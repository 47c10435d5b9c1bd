package io.podswitch.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.BitSet;

import static io.podswitch.nativeio.Native.C_INT;
import static io.podswitch.nativeio.Native.C_LONG;
import static io.podswitch.nativeio.Native.C_POINTER;

/**
 * CPU affinity of threads: {@code sched_setaffinity(2)} and {@code sched_getaffinity(2)}, for pinning
 * poll-mode workers to dedicated cores; and a thread's nice value ({@code setpriority(2)}), so background
 * control-plane work yields the CPU to the workers. Called once per thread at start, never on the data path.
 *
 * <pre>
 *  cpu_set_t (glibc): 1024 bits = 16 x unsigned long, little-endian words
 *  +----------------+----------------+-----+-----------------+
 *  | word 0: cpu 0-63 | word 1: 64-127 | ... | word 15: 960-1023 |   bit (cpu % 64) of word (cpu / 64)
 *  +----------------+----------------+-----+-----------------+
 * </pre>
 */
public final class Sched {
    /** CPUs a glibc {@code cpu_set_t} can name. */
    public static final int MAX_CPUS = 1024;
    private static final long CPU_SET_BYTES = MAX_CPUS / 8;

    // int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask);
    private static final MethodHandle SET = Native.downcall("sched_setaffinity",
            FunctionDescriptor.of(C_INT, C_INT, C_LONG, C_POINTER));
    // int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask);
    private static final MethodHandle GET = Native.downcall("sched_getaffinity",
            FunctionDescriptor.of(C_INT, C_INT, C_LONG, C_POINTER));

    // int setpriority(int which, id_t who, int prio); PRIO_PROCESS with who = 0 is the calling *thread* on Linux
    private static final MethodHandle SET_PRIORITY = Native.downcall("setpriority",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT));
    private static final int PRIO_PROCESS = 0;
    /** The lowest priority a thread can have. */
    public static final int NICEST = 19;

    private Sched() {
    }

    /**
     * Sets the calling thread's nice value (Linux keeps one per thread: {@code setpriority(PRIO_PROCESS, 0, …)}
     * changes only the caller). Raising it needs no privilege; lowering it below the current value needs
     * CAP_SYS_NICE. @throws NativeException naming errno when the kernel refuses
     */
    public static void setCurrentThreadNice(int nice) {
        if (nice < -20 || nice > NICEST) {
            throw new IllegalArgumentException("nice " + nice + " outside [-20, " + NICEST + "]");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int rc = (int) SET_PRIORITY.invokeExact(errno, PRIO_PROCESS, 0, nice);
            if (rc != 0) {
                throw NativeException.of("setpriority", "nice " + nice, Native.errno(errno));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setpriority downcall failed", t);
        }
    }

    /** Pins the calling thread to one CPU. @throws NativeException e.g. EINVAL for a CPU not allowed here */
    public static void pinCurrentThread(int cpu) {
        BitSet set = new BitSet();
        if (cpu < 0 || cpu >= MAX_CPUS) {
            throw new IllegalArgumentException("cpu " + cpu + " outside [0, " + MAX_CPUS + ")");
        }
        set.set(cpu);
        setAffinity(0, set);
    }

    /**
     * Sets the CPUs thread {@code tid} may run on ({@code 0} = the calling thread).
     * @throws NativeException naming the CPUs and errno when the kernel refuses
     */
    public static void setAffinity(int tid, BitSet cpus) {
        if (cpus.isEmpty() || cpus.length() > MAX_CPUS) {
            throw new IllegalArgumentException("CPU set must name CPUs in [0, " + MAX_CPUS + "): " + cpus);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            MemorySegment mask = arena.allocate(CPU_SET_BYTES, 8);
            long[] words = cpus.toLongArray();
            for (int i = 0; i < words.length; i++) {
                mask.setAtIndex(ValueLayout.JAVA_LONG, i, words[i]);
            }
            int rc = (int) SET.invokeExact(errno, tid, CPU_SET_BYTES, mask);
            if (rc != 0) {
                throw NativeException.of("sched_setaffinity", "cpus " + cpus + (tid == 0 ? "" : " tid " + tid),
                        Native.errno(errno));
            }
        } catch (NativeException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setaffinity downcall failed", t);
        }
    }

    /** The CPUs thread {@code tid} may run on ({@code 0} = the calling thread). */
    public static BitSet affinity(int tid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            MemorySegment mask = arena.allocate(CPU_SET_BYTES, 8);
            int rc = (int) GET.invokeExact(errno, tid, CPU_SET_BYTES, mask);
            if (rc < 0) {
                throw NativeException.of("sched_getaffinity", tid == 0 ? "current thread" : "tid " + tid,
                        Native.errno(errno));
            }
            return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_getaffinity downcall failed", t);
        }
    }
}
