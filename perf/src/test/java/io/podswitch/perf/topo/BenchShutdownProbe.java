package io.podswitch.perf.topo;

import io.podswitch.perf.bench.connrate.ShortConnectionServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A bench JVM in the middle of a step, for {@link BenchShutdownTest}: installs the hook as
 * {@code podswitch bench} does, starts a {@link ShortConnectionServer} backend and a shell with two
 * children through {@link BackgroundProcess}, registers a cleanup that records whether the server was
 * still running when it ran, prints {@code ready PID...} (every descendant) and blocks until killed.
 *
 * <pre>BenchShutdownProbe MARKER_FILE PORT</pre>
 */
public final class BenchShutdownProbe {

    private BenchShutdownProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path marker = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        BenchShutdown.install();
        BackgroundProcess server = BackgroundProcess.start(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), ShortConnectionServer.class.getName(),
                "--port", Integer.toString(port), "--id", "b0", "--threads", "1"));
        BackgroundProcess shell = BackgroundProcess.start(List.of("sh", "-c", "sleep 600 & sleep 600 & wait"));
        ProcessHandle serverHandle = ProcessHandle.of(server.pid()).orElseThrow(); // before it exits and is reaped
        BenchShutdown.register(() -> {
            try {
                Files.writeString(marker, "server running at cleanup: " + BenchShutdown.running(serverHandle) + "\n");
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitListening(server, port);
        while (ProcessHandle.of(shell.pid()).orElseThrow().children().count() < 2) {
            Thread.sleep(10);
        }
        System.out.println("ready " + ProcessHandle.current().descendants().map(p -> Long.toString(p.pid()))
                .collect(Collectors.joining(" ")));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // a scenario's step, stopped by the signal
    }

    private static void awaitListening(BackgroundProcess server, int port) throws Exception {
        while (true) {
            if (!server.isAlive()) {
                throw new IOException("server exited " + server.exitCode() + ": " + server.stderr());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
    }
}
