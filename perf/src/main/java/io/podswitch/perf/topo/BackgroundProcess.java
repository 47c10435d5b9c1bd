package io.podswitch.perf.topo;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A long-running tool (trafgen, iperf3 server, testpmd) started by a scenario: output is read as it comes
 * (a caller may wait, bounded, for a line while the tool runs), and {@link #close} stops it (SIGTERM, then SIGKILL after a grace period), so try-with-resources
 * guarantees nothing outlives the step, and {@link BenchShutdown} that nothing outlives a stopped JVM.
 */
public final class BackgroundProcess implements AutoCloseable {

    private final List<String> command;
    private final Process process;
    private final StreamedOutput stdout;
    private final StreamedOutput stderr;

    private BackgroundProcess(List<String> command, Process process) {
        this.command = List.copyOf(command);
        this.process = process;
        this.stdout = new StreamedOutput(process.getInputStream(), "stdout of " + process.pid());
        this.stderr = new StreamedOutput(process.getErrorStream(), "stderr of " + process.pid());
    }

    /**
     * Starts {@code command}; {@link BenchShutdown} stops it if the JVM is stopped before {@link #close}.
     * Refused once the JVM is shutting down.
     */
    public static BackgroundProcess start(List<String> command) throws IOException {
        BenchShutdown.install();
        if (BenchShutdown.stopping()) {
            throw new IOException("the bench is stopping: not starting " + String.join(" ", command));
        }
        return new BackgroundProcess(command, new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to exit by itself; false on timeout. */
    public boolean waitFor(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /** Sends SIGINT (tools print their final statistics on it) and waits for the exit. */
    public void interrupt(long graceMillis) throws IOException, InterruptedException {
        if (process.isAlive()) {
            Exec.exec(List.of("kill", "-INT", Long.toString(process.pid())), Exec.DEFAULT_TIMEOUT);
            if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** CPU time the process (not its children) has used, from /proc; 0 when unknown. */
    public long cpuNanos() {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    public int exitCode() {
        return process.exitValue();
    }

    /** Everything printed on stdout: waits for the process to close it (its exit). */
    public String stdout() {
        return stdout.all();
    }

    /** Everything printed on stderr: waits for the process to close it (its exit). */
    public String stderr() {
        return stderr.all();
    }

    /**
     * Waits at most {@code timeout} for a stdout line matching {@code wanted} while the process runs; empty
     * on timeout, or at once when stdout ended (the process exited) without such a line.
     */
    public Optional<String> awaitStdoutLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        return stdout.awaitLine(wanted, timeout);
    }

    /** True once the process closed its stdout (normally: it exited). */
    public boolean stdoutEnded() {
        return stdout.ended();
    }

    /** stdout and stderr as far as they arrived, without waiting (for the message of a failure). */
    public String outputSoFar() {
        return stdout.soFar() + stderr.soFar();
    }

    public String describe() {
        return String.join(" ", command);
    }

    /** Stops the process and the children it forked (trafgen forks one sender per CPU). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(3, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
