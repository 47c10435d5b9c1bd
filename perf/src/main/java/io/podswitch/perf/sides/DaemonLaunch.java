package io.podswitch.perf.sides;

import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.perf.bench.jvm.ShippedJvmFlags;
import io.podswitch.perf.bench.jvm.SubjectJvmLog;
import io.podswitch.perf.bench.jvm.SubjectRefusedException;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.topo.BenchShutdown;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How the bench starts, waits for and stops a podswitchd child JVM — shared by the single-node
 * ({@link PodswitchdProcess}) and the per-node ({@link PodswitchdNodeProcess}) launchers. The JVM flags
 * are bin/podswitchd's, read from the same files ({@link ShippedJvmFlags#daemon()}), so the bench
 * measures the daemon as it is shipped; each launch is recorded for the report ({@link SubjectJvmLog}).
 */
final class DaemonLaunch {
    static final String DAEMON_CLASS = "io.podswitch.daemon.Podswitchd";

    private DaemonLaunch() {
    }

    /**
     * {@code [ip netns exec NETNS] java FLAGS... -cp CLASSPATH podswitchd ARGS...} with bin/podswitchd's
     * flags; ip execs java, so the child process is the daemon itself. Recorded as the podswitch
     * subject's JVM, and refused if that JVM would have no C2.
     *
     * @param role what the daemon is in the scenario, for the report (e.g. "one per node")
     */
    static List<String> command(String netns, String role, String classPath, List<String> daemonArgs)
            throws SubjectRefusedException, IOException {
        return command(netns, role, classPath, DAEMON_CLASS, daemonArgs);
    }

    /** As above with another entry point that runs podswitchd ({@code Podswitchd.run}) inside. */
    static List<String> command(String netns, String role, String classPath, String mainClass, List<String> daemonArgs)
            throws SubjectRefusedException, IOException {
        List<String> flags = ShippedJvmFlags.daemon();
        SubjectJvmLog.startingWith(Measurement.PODSWITCH, "podswitchd child JVM, " + role, flags);
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", classPath, mainClass));
        cmd.addAll(daemonArgs);
        return cmd;
    }

    /** Starts {@code cmd} with its output appended to {@code dir/daemon.log}. */
    static Process launch(List<String> cmd, Path dir) throws IOException {
        BenchShutdown.install();
        if (BenchShutdown.stopping()) {
            throw new IOException("the bench is stopping: not starting podswitchd");
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile())).start();
    }

    /** {@code -Dpodswitch.bench.daemon-logs=DIR}: where each stopped daemon's log is copied (none: not kept). */
    static final String KEEP_LOGS = "podswitch.bench.daemon-logs";

    /**
     * Copies {@code dir/daemon.log} to the directory {@value #KEEP_LOGS} names, as {@code <dir's name>.log}, before
     * the daemon's directory is deleted: its reload lines say where an update's time went (parse, comparison,
     * policy), which the report's figures cannot. Best effort: a failed copy is said on stderr, never fails a run.
     */
    static void keepLog(Path dir) {
        String to = System.getProperty(KEEP_LOGS, "");
        if (to.isEmpty() || !Files.exists(dir.resolve("daemon.log"))) {
            return;
        }
        try {
            Path target = Files.createDirectories(Path.of(to)).resolve(dir.getFileName() + ".log");
            Files.copy(dir.resolve("daemon.log"), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("bench: could not keep " + dir.resolve("daemon.log") + ": " + e.getMessage());
        }
    }

    /** What to throw when the daemon exits before it answers. */
    @FunctionalInterface
    interface EarlyExit {
        Exception exited(int status);
    }

    /**
     * Waits until the daemon answers on {@code socket} (GET /v1/pods → 200: a connection that is merely
     * accepted may be a dying daemon's, see {@link #awaitRefused}); a daemon that exits first ends the wait.
     */
    static void awaitSocket(Process process, Path socket, Path dir, long timeoutSeconds, EarlyExit earlyExit)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        UnixHttpClient client = new UnixHttpClient(socket, TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT);
        String last = "no socket file";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw earlyExit.exited(process.exitValue());
            }
            if (Files.exists(socket)) {
                try {
                    HttpResponse r = client.exchange(new HttpRequest("GET", "/v1/pods", Map.of(), null),
                            Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(5)));
                    if (r.status() == 200) {
                        return;
                    }
                    last = "GET /v1/pods answered " + r.status();
                } catch (HttpClientException notYet) {
                    last = notYet.getMessage(); // the file exists before the server accepts: try again
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("podswitchd did not answer on " + socket + " within " + timeoutSeconds + " s (" + last
                + "): " + log(dir));
    }

    /**
     * Waits until nothing accepts connections on {@code socket} any more (the file is gone or connecting is
     * refused): after a SIGKILL, the dead daemon's listening socket lives on until the kernel has closed
     * its io_uring (~0.2 s on an idle machine, longer under load).
     */
    static void awaitRefused(Path socket, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (Files.exists(socket)) {
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException refused) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(socket + " still accepts connections " + timeoutSeconds + " s after its daemon died");
            }
            Thread.sleep(10);
        }
    }

    /** The last 2,000 characters of {@code dir/daemon.log}. */
    static String log(Path dir) {
        try {
            String log = Files.readString(dir.resolve("daemon.log"));
            return log.length() > 2000 ? "…" + log.substring(log.length() - 2000) : log;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** SIGTERM (to the exec'd JVM), SIGKILL after 10 s. */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
