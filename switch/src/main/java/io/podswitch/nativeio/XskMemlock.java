package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process may pin a UMEM. Registering a UMEM pins its pages; the kernel charges them
 * to RLIMIT_MEMLOCK unless the process has CAP_IPC_LOCK. Here {@code ulimit -l} is 8 MiB and cannot
 * be raised, so a larger slab depends on CAP_IPC_LOCK; this class tells the operator which it is.
 */
public final class XskMemlock {
    static final int CAP_IPC_LOCK = 14;
    private static final long RLIM_INFINITY = -1L;

    private XskMemlock() {
    }

    /** True when CAP_IPC_LOCK is in the effective capability set (/proc/self/status CapEff). */
    public static boolean hasCapIpcLock() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    return (caps & (1L << CAP_IPC_LOCK)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    /** The soft RLIMIT_MEMLOCK in bytes, or -1 for unlimited. */
    public static long memlockLimitBytes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(16, 8);
            int rc = (int) XskLibc.GETRLIMIT.invokeExact(Native.errnoSegment(arena), XskLibc.RLIMIT_MEMLOCK, rlimit);
            if (rc != 0) {
                return 0;
            }
            long soft = rlimit.get(JAVA_LONG, 0);
            return soft == RLIM_INFINITY ? -1 : soft;
        } catch (Throwable t) {
            throw new IllegalStateException("getrlimit(RLIMIT_MEMLOCK)", t);
        }
    }

    /** One line for error messages and logs: what is needed and what the process has. */
    public static String describe(long umemBytes) {
        long limit = memlockLimitBytes();
        return "UMEM of " + mib(umemBytes) + " must be pinned; RLIMIT_MEMLOCK is "
                + (limit < 0 ? "unlimited" : mib(limit)) + ", CAP_IPC_LOCK is "
                + (hasCapIpcLock() ? "present" : "absent (grant it, or shrink the frame slab below the limit)");
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
