package io.podswitch.cni.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A finished child process of install-cni: exit code and both outputs. */
record ChildProcess(int exit, String stdout, String stderr) {

    /**
     * Runs {@code command} with {@code env} added to install-cni's environment and {@code stdin} as
     * input; kills it after {@code timeoutSeconds}.
     */
    static ChildProcess run(List<String> command, Map<String, String> env, String stdin, long timeoutSeconds)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        // Options a JVM picks up from the environment would print "Picked up ..." on stderr and
        // change the flags the AOT cache was made for: the plugin is verified as runtimes run it.
        pb.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The child may exit without reading its input; its exit code tells the story.
        }
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + command.get(0), e);
        }
        return new ChildProcess(p.exitValue(), out.join(), err.join());
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Both outputs, trimmed, for an error message. */
    String output() {
        return (stdout.strip() + "\n" + stderr.strip()).strip();
    }
}
