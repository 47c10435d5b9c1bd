package io.podswitch.perf.topo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs external commands with a timeout; a failure names the command, its exit code and stderr. */
public final class Exec {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Exec() {
    }

    /** The outcome of a finished command. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs and returns stdout; a non-zero exit or a timeout is an {@link IOException}. */
    public static String run(List<String> command) throws IOException {
        return run(command, DEFAULT_TIMEOUT);
    }

    public static String run(List<String> command, Duration timeout) throws IOException {
        Result r = exec(command, timeout);
        if (r.exitCode() != 0) {
            throw new IOException("'" + String.join(" ", command) + "' exited with " + r.exitCode() + ": "
                    + r.stderr().strip());
        }
        return r.stdout();
    }

    /** Runs and returns the outcome whatever the exit code; only a timeout or start failure throws. */
    public static Result exec(List<String> command, Duration timeout) throws IOException {
        return exec(command, Map.of(), timeout);
    }

    /** As {@link #exec(List, Duration)}, with {@code env} added to the environment (container runtimes' config). */
    public static Result exec(List<String> command, Map<String, String> env, Duration timeout)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("'" + String.join(" ", command) + "' did not finish within " + timeout);
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running '" + String.join(" ", command) + "'", e);
        }
    }

    /** Runs a command inside a network namespace ({@code ip netns exec}). */
    public static List<String> inNetns(String netns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(command));
        return full;
    }

    /**
     * Writes {@code text} to a temporary file and runs {@code tool args... FILE} inside {@code netns} (rule sets too
     * large for a command line: iptables-restore, nft -f).
     */
    public static void runWithFile(String netns, String text, String tool, String... args) throws IOException {
        Path f = Files.createTempFile("podswitch-bench-" + tool + "-", ".txt");
        try {
            Files.writeString(f, text);
            List<String> cmd = new ArrayList<>(List.of(tool));
            cmd.addAll(List.of(args));
            cmd.add(f.toString());
            run(inNetns(netns, cmd.toArray(String[]::new)));
        } finally {
            Files.deleteIfExists(f);
        }
    }

    static CompletableFuture<String> drain(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, runnable -> Thread.ofPlatform().daemon().start(runnable));
    }
}
