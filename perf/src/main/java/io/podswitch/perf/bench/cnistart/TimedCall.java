package io.podswitch.perf.bench.cnistart;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One plugin process as a runtime starts it (environment, config on stdin), timed: wall time from
 * fork to exit, and the process's CPU time (user + system, {@link ChildCpuTime}) — the steadier of
 * the two on a shared machine. Calls must not overlap (CPU time is read per finished child).
 */
public record TimedCall(int exit, double wallMillis, double cpuMillis, String stdout) {

    public static synchronized TimedCall run(List<String> argv, Map<String, String> env, String stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        long cpuBefore = ChildCpuTime.micros();
        long start = System.nanoTime();
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not exit within 60 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        double wall = (System.nanoTime() - start) / 1e6;
        double cpu = (ChildCpuTime.micros() - cpuBefore) / 1e3;
        return new TimedCall(p.exitValue(), wall, cpu, new String(out, StandardCharsets.UTF_8));
    }
}
