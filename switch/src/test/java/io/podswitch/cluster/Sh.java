package io.podswitch.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the commands that build and probe a test cluster ({@code ip}, {@code ping}, {@code iperf3},
 * {@code tcpdump}…), optionally inside a network namespace. Tests may run these; production code never does.
 */
final class Sh {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Sh() {
    }

    /** A finished command: exit code and both outputs. */
    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }

        @Override
        public String toString() {
            return "exit " + exit + (out.isBlank() ? "" : ", stdout: " + out.strip())
                    + (err.isBlank() ? "" : ", stderr: " + err.strip());
        }
    }

    /** Runs a command; a non-zero exit or a timeout throws, naming the command and its output. */
    static String run(String... command) {
        Result r = exec(DEFAULT_TIMEOUT, command);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", command) + ": " + r);
        }
        return r.out();
    }

    /** Like {@link #run} inside {@code netns} (null: the test's own namespace). */
    static String runIn(String netns, String... command) {
        return run(inNetns(netns, command));
    }

    /** Runs a command, whatever its exit code; only a timeout throws (after killing it). */
    static Result exec(Duration timeout, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(new File("/dev/null")).start();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", command));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    /** Best effort (cleanup paths): runs and ignores the outcome. */
    static void quietly(String... command) {
        try {
            exec(DEFAULT_TIMEOUT, command);
        } catch (RuntimeException ignored) {
            // already gone, or nothing to undo
        }
    }

    /** {@code ip netns exec NETNS command…}, or the command itself for a null namespace. */
    static String[] inNetns(String netns, String... command) {
        if (netns == null) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(command));
        return full.toArray(String[]::new);
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("sh-drain").start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("");
            }
        });
        return f;
    }
}
