package io.podswitch.perf.bench.connrate;

import io.podswitch.perf.topo.BackgroundProcess;
import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the short-connection load between pods: {@link #startServers} starts one
 * {@link ShortConnectionServer} per backend pod (ids {@code b0}, {@code b1}, ...) and waits until each
 * listens; {@link #timed} and {@link #count} run the {@link ShortConnectionClient} in the client pod
 * and parse its result line.
 */
public final class ShortConnectionLoad {

    private static final Duration START = Duration.ofSeconds(30);

    private ShortConnectionLoad() {
    }

    /** Servers that stop (all of them) on close. */
    public record Servers(List<BackgroundProcess> processes) implements AutoCloseable {
        @Override
        public void close() {
            processes.forEach(BackgroundProcess::close);
        }
    }

    public static Servers startServers(List<String> backendNs, int port) throws IOException, InterruptedException {
        List<BackgroundProcess> started = new ArrayList<>();
        Servers servers = new Servers(started);
        try {
            for (int i = 0; i < backendNs.size(); i++) {
                started.add(BackgroundProcess.start(JavaInNetns.command(backendNs.get(i), ShortConnectionServer.class,
                        "--port", Integer.toString(port), "--id", "b" + i)));
            }
            for (int i = 0; i < backendNs.size(); i++) {
                awaitListening(backendNs.get(i), port, started.get(i));
            }
            return servers;
        } catch (IOException | InterruptedException | RuntimeException e) {
            servers.close();
            throw e;
        }
    }

    private static void awaitListening(String ns, int port, BackgroundProcess p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("server in " + ns + " exited " + p.exitCode() + ": " + p.stderr().strip());
            }
            String listening = Exec.run(Exec.inNetns(ns, "ss", "-Hltn", "sport", "=", ":" + port));
            if (!listening.isBlank()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("server in " + ns + " did not listen on " + port + " within " + START);
    }

    /** {@code duration} of connections after {@code warmup}, {@code parallel} at a time. */
    public static ConnectionRateResult timed(String clientNs, String target, int parallel, Duration warmup, Duration duration)
            throws IOException {
        return run(clientNs, duration.plus(warmup).plusSeconds(60), "--target", target, "--parallel",
                Integer.toString(parallel), "--warmup-ms", Long.toString(warmup.toMillis()), "--duration-ms",
                Long.toString(Math.max(1, duration.toMillis())));
    }

    /** Exactly {@code count} connection attempts. */
    public static ConnectionRateResult count(String clientNs, String target, int parallel, int count) throws IOException {
        return run(clientNs, Duration.ofSeconds(120), "--target", target, "--parallel", Integer.toString(parallel),
                "--count", Integer.toString(count));
    }

    /**
     * {@code count} connections one after the other, each followed by a pause of {@code gap}: request/
     * response traffic with idle gaps, where every connection may find the forwarder idle.
     */
    public static ConnectionRateResult sequential(String clientNs, String target, int count, Duration gap) throws IOException {
        return run(clientNs, gap.multipliedBy(count).plusSeconds(120), "--target", target, "--parallel", "1",
                "--count", Integer.toString(count), "--gap-us", Long.toString(gap.toNanos() / 1000));
    }

    private static ConnectionRateResult run(String clientNs, Duration timeout, String... args) throws IOException {
        Exec.Result r = Exec.exec(JavaInNetns.command(clientNs, ShortConnectionClient.class, args), timeout);
        if (r.exitCode() != 0) {
            throw new IOException("connection client in " + clientNs + " exited " + r.exitCode() + ": " + r.stderr().strip());
        }
        return ConnectionRateResult.parse(r.stdout());
    }
}
