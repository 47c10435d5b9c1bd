package io.podswitch.perf.topo;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A bench JVM stopped by SIGTERM or SIGINT mid-step leaves nothing running: its short-connection
 * backend (a child JVM), a shell and the shell's own children are all gone once it has exited, and the
 * registered cleanups (namespaces, temp directories) ran after those processes had stopped.
 */
class BenchShutdownTest {

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aStoppedBenchJvmLeavesNoProcessBehind(String signal, @TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path marker = dir.resolve("marker");
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                BenchShutdownProbe.class.getName(), marker.toString(), Integer.toString(port))
                .redirectError(dir.resolve("probe.err").toFile()).start();
        List<ProcessHandle> descendants = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            String line = ready.get(120, TimeUnit.SECONDS);
            assertTrue(line != null && line.startsWith("ready "), "probe did not start: " + line + " "
                    + Files.readString(dir.resolve("probe.err")));
            for (String pid : line.substring("ready ".length()).split(" ")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(descendants::add);
            }
            assertEquals(4, descendants.size(), "server JVM, shell and the shell's two children: " + line);

            // A shell that starts a job in the background without job control ignores SIGINT for it, and a JVM keeps
            // an inherited ignore: then nothing stops this probe on SIGINT (nor a bench started that way).
            assumeFalse(signal.equals("INT") && sigintIgnored(probe.pid()),
                    "SIGINT is ignored in this process tree (started in the background by a non-interactive shell)");
            new ProcessBuilder("kill", "-" + signal, Long.toString(probe.pid())).start().waitFor();
            assertTrue(probe.waitFor(120, TimeUnit.SECONDS), "the probe did not exit on SIG" + signal);
            assertEquals(128 + (signal.equals("TERM") ? 15 : 2), probe.exitValue(), "exit status of a JVM stopped by SIG" + signal);

            // The hook waited for every process before the JVM exited: nothing may be running now.
            for (ProcessHandle p : descendants) {
                assertFalse(BenchShutdown.running(p), "pid " + p.pid() + " (" + p.info().commandLine().orElse("?")
                        + ") outlived the bench JVM stopped by SIG" + signal);
            }
            String probeErr = Files.readString(dir.resolve("probe.err"));
            assertTrue(Files.exists(marker), "the registered cleanup did not run; probe stderr: " + probeErr);
            assertEquals("server running at cleanup: false\n", Files.readString(marker),
                    "cleanups run after the processes are stopped; probe stderr: " + probeErr);
        } finally {
            probe.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Bit 2 (SIGINT) of the process's ignored-signal mask in /proc. */
    private static boolean sigintIgnored(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & 0x2) != 0;
            }
        }
        return false;
    }
}
