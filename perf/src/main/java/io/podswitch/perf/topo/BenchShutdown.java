package io.podswitch.perf.topo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a bench JVM leaves behind when it is stopped (SIGTERM, SIGINT or Ctrl-C) before its scenarios'
 * try-with-resources could run: one shutdown hook, installed by {@code podswitch bench} and by the first
 * background process, daemon or topology, that
 * <ol>
 *   <li>stops every process this JVM started, directly or further down (load servers and clients,
 *   podswitchd, iperf3, trafgen, testpmd, containerd …): SIGTERM to all of them at once, SIGKILL to those
 *   still running after {@link #GRACE};</li>
 *   <li>then runs the registered cleanups newest first (namespaces, daemon and CNI temp directories), so
 *   a namespace is deleted after the processes in it are gone;</li>
 *   <li>then stops what the still-running scenario thread started in the meantime.</li>
 * </ol>
 * While it runs, {@link #stopping()} holds and {@link BackgroundProcess#start} and
 * {@link Topology#netns} refuse new work. A normal exit runs the same hook and finds nothing left.
 */
public final class BenchShutdown {

    /** How long the processes get to stop on SIGTERM (podswitchd closes its ports and state). */
    static final Duration GRACE = Duration.ofSeconds(10);

    private static final Map<Object, Runnable> CLEANUPS = new LinkedHashMap<>();
    private static boolean installed;
    private static volatile boolean stopping;

    private BenchShutdown() {
    }

    /** A registered cleanup; {@link #close} removes it once its owner has cleaned up itself. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Installs the hook (once per JVM); a no-op when the JVM is already shutting down. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("podswitch-bench-shutdown")
                    .unstarted(BenchShutdown::run));
            installed = true;
        } catch (IllegalStateException shuttingDown) {
            // the hook, if any, is already running
        }
    }

    /** Runs {@code cleanup} at shutdown unless the returned registration is closed first. */
    public static synchronized Registration register(Runnable cleanup) {
        install();
        Object key = new Object();
        CLEANUPS.put(key, cleanup);
        return () -> {
            synchronized (BenchShutdown.class) {
                CLEANUPS.remove(key);
            }
        };
    }

    /** True once the JVM is shutting down: start nothing new. */
    public static boolean stopping() {
        return stopping;
    }

    private static void run() {
        stopping = true;
        stopProcesses(ProcessHandle.current().descendants().toList(), GRACE);
        List<Runnable> cleanups;
        synchronized (BenchShutdown.class) {
            cleanups = new ArrayList<>(CLEANUPS.values());
            CLEANUPS.clear();
        }
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            try {
                cleanups.get(i).run();
            } catch (RuntimeException e) {
                System.err.println("bench: cleanup at shutdown failed: " + e);
            }
        }
        stopProcesses(ProcessHandle.current().descendants().toList(), Duration.ofSeconds(2));
    }

    /** SIGTERM to every process, then SIGKILL to those still running after {@code grace}; waits for their exit. */
    static void stopProcesses(List<ProcessHandle> processes, Duration grace) {
        if (processes.isEmpty()) {
            return;
        }
        processes.forEach(ProcessHandle::destroy);
        if (!awaitExit(processes, grace)) {
            processes.stream().filter(BenchShutdown::running).forEach(ProcessHandle::destroyForcibly);
            awaitExit(processes, Duration.ofSeconds(5));
        }
    }

    /** True when every process has exited within {@code timeout}. */
    private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (processes.stream().anyMatch(BenchShutdown::running)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Alive and not a zombie: {@link ProcessHandle#isAlive} is true for an exited process nobody has reaped
     * yet (an orphan whose new parent does not reap, as in some containers), which has stopped all the same.
     */
    public static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return p.isAlive(); // no /proc entry: gone (or no /proc at all: trust isAlive)
        }
    }
}
