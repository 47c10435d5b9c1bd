package io.podswitch.perf.sides;

import io.podswitch.worker.IdleStrategies;
import io.podswitch.worker.WorkerConfig;
import java.util.List;

/**
 * How the workers of every podswitch subject the bench runs (in-process workers and the daemons it
 * starts) idle and do their TAP I/O: the daemon's defaults, as shipped, unless an A/B run asks for
 * another with {@code -Dpodswitch.bench.idle=SPEC} (e.g. {@code spin}, {@code backoff}) or
 * {@code -Dpodswitch.bench.tap-io=uring} (TAP reads and writes batched through io_uring instead of
 * plain read/write).
 */
final class BenchWorkers {
    static final String IDLE_PROPERTY = "podswitch.bench.idle";
    static final String TAP_IO_PROPERTY = "podswitch.bench.tap-io";

    private BenchWorkers() {
    }

    static String idle() {
        return System.getProperty(IDLE_PROPERTY, IdleStrategies.DEFAULT);
    }

    /** {@code syscalls} (the daemon's default) or {@code uring}. */
    static String tapIo() {
        String io = System.getProperty(TAP_IO_PROPERTY, WorkerConfig.DEFAULT_IO_URING ? "uring" : "syscalls");
        if (!io.equals("uring") && !io.equals("syscalls")) {
            throw new IllegalArgumentException("-D" + TAP_IO_PROPERTY + " must be uring or syscalls: " + io);
        }
        return io;
    }

    static boolean ioUring() {
        return tapIo().equals("uring");
    }

    /** The daemon flags that say the same. */
    static List<String> daemonArgs() {
        return List.of("--idle", idle(), "--tap-io", tapIo());
    }
}
