package io.podswitch.perf.churn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One execution of the CNI plugin as a runtime executes it (CNI_* environment, network config on
 * stdin, one JSON document on stdout), which a killer thread may SIGKILL while it runs.
 */
final class PluginCall {
    static final long TIMEOUT_SECONDS = 60;

    final String command;
    final String containerId;
    final long startNanos;
    private final Process process;
    private volatile boolean killed;
    private volatile long endNanos;
    private int exit = -1;
    private String stdout = "";
    private String stderr = "";

    private PluginCall(String command, String containerId, Process process) {
        this.command = command;
        this.containerId = containerId;
        this.process = process;
        this.startNanos = System.nanoTime();
    }

    static PluginCall start(Path launcher, String command, String containerId, String netns, String config)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launcher.toString());
        Map<String, String> env = pb.environment();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", launcher.getParent().toString());
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=churn;K8S_POD_NAME=" + containerId);
        PluginCall call = new PluginCall(command, containerId, pb.start());
        try (OutputStream in = call.process.getOutputStream()) {
            in.write(config.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // killed before it read its input: the exit code tells
        }
        return call;
    }

    /** Waits for the exit; returns this. */
    PluginCall await() throws IOException, InterruptedException {
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("CNI " + command + " " + containerId + " did not exit within " + TIMEOUT_SECONDS + " s");
        }
        endNanos = System.nanoTime();
        exit = process.exitValue();
        stdout = out.join();
        stderr = err.join();
        return this;
    }

    /** SIGKILL, as a runtime timing out or a node under memory pressure would. */
    void kill() {
        killed = true;
        process.destroyForcibly();
    }

    boolean isRunning() {
        return process.isAlive();
    }

    boolean succeeded() {
        return exit == 0 && !killed;
    }

    boolean wasKilled() {
        return killed;
    }

    String stdout() {
        return stdout;
    }

    double millis() {
        return (endNanos - startNanos) / 1e6;
    }

    @Override
    public String toString() {
        return command + " " + containerId + " exit " + exit + (killed ? " (killed)" : "") + ": " + stdout.strip() + " "
                + stderr.strip();
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
