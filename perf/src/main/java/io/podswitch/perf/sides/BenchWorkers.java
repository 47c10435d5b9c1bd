package io.podswitch.perf.sides;

import io.podswitch.worker.IdleStrategies;
import java.util.List;

/**
 * How the workers of every podswitch subject the bench runs (in-process workers and the daemons it
 * starts) idle and do their TAP I/O: the daemon's defaults, as shipped, unless an A/B run asks for
 * another with {@code -Dpodswitch.bench.idle=SPEC} (e.g. {@code spin}, {@code backoff}) or
 * {@code -Dpodswitch.bench.tap-io=syscalls} (plain read/write instead of io_uring).
 */
final class BenchWorkers {
    static final String IDLE_PROPERTY = "podswitch.bench.idle";
    static final String TAP_IO_PROPERTY = "podswitch.bench.tap-io";

    private BenchWorkers() {
    }

    static String idle() {
        return System.getProperty(IDLE_PROPERTY, IdleStrategies.DEFAULT);
    }

    /** {@code uring} (the default) or {@code syscalls}. */
    static String tapIo() {
        String io = System.getProperty(TAP_IO_PROPERTY, "uring");
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
