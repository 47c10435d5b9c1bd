package io.podswitch.daemon.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file watch: the ways a config file really gets replaced. */
class ReloadTriggersTest {
    private final LinkedBlockingQueue<String> reloads = new LinkedBlockingQueue<>();

    /**
     * A ConfigMap volume, as the kubelet's AtomicWriter lays it out and updates it: {@code cluster.yaml} →
     * {@code ..data/cluster.yaml}, {@code ..data} → a timestamped directory; an update writes a new directory
     * and renames a new {@code ..data} link over the old one. {@code cluster.yaml} itself never changes.
     */
    @Test
    void aConfigMapUpdateReloads(@TempDir Path volume) throws Exception {
        Path first = volume.resolve("..2026_12_03_23_00_00.000000001");
        Files.createDirectory(first);
        Files.writeString(first.resolve("cluster.yaml"), "masquerade: true\n");
        Files.createSymbolicLink(volume.resolve("..data"), first.getFileName());
        Path config = volume.resolve("cluster.yaml");
        Files.createSymbolicLink(config, Path.of("..data", "cluster.yaml"));
        try (ReloadTriggers triggers = ReloadTriggers.start(config, reloads::add)) {
            Path second = volume.resolve("..2026_12_03_23_01_00.000000002");
            Files.createDirectory(second);
            Files.writeString(second.resolve("cluster.yaml"), "masquerade: false\n");
            Files.createSymbolicLink(volume.resolve("..data_tmp"), second.getFileName());
            Files.move(volume.resolve("..data_tmp"), volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            deleteTree(first);

            assertEquals("file change", reloads.poll(5, TimeUnit.SECONDS), "the ..data swap is a change of the file");
            assertEquals("masquerade: false\n", Files.readString(config));
            assertNull(reloads.poll(ReloadTriggers.SETTLE_MS * 3, TimeUnit.MILLISECONDS), "one update, one reload");
        }
    }

    /**
     * The kubelet's swap is complete when {@code ..data} is renamed into place, so it reloads without the settle
     * time (here a minute: the reload must come well before it), even though the new timestamped directory's
     * creation — not ours — came first and started the wait. A write of the file itself still settles: its first
     * event may see it half-written.
     */
    @Test
    void aConfigMapSwapReloadsWithoutTheSettleTimeAndAWriteStillSettles(@TempDir Path volume) throws Exception {
        Path first = volume.resolve("..2026_12_04_15_00_00.000000001");
        Files.createDirectory(first);
        Files.writeString(first.resolve("cluster.yaml"), "masquerade: true\n");
        Files.createSymbolicLink(volume.resolve("..data"), first.getFileName());
        Path config = volume.resolve("cluster.yaml");
        Files.createSymbolicLink(config, Path.of("..data", "cluster.yaml"));
        long minute = TimeUnit.MINUTES.toMillis(1);
        try (ReloadTriggers triggers = ReloadTriggers.start(config, reloads::add, minute)) {
            Path second = volume.resolve("..2026_12_04_15_01_00.000000002");
            Files.createDirectory(second);
            Files.writeString(second.resolve("cluster.yaml"), "masquerade: false\n");
            Files.createSymbolicLink(volume.resolve("..data_tmp"), second.getFileName());
            Files.move(volume.resolve("..data_tmp"), volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            assertEquals("file change", reloads.poll(10, TimeUnit.SECONDS), "the swap did not wait for the settle");
        }
        Path plain = volume.resolve("plain");
        Files.createDirectory(plain);
        Path file = plain.resolve("cluster.yaml");
        Files.writeString(file, "masquerade: true\n");
        try (ReloadTriggers triggers = ReloadTriggers.start(file, reloads::add, minute)) {
            Files.writeString(file, "masquerade: false\n");
            assertNull(reloads.poll(2, TimeUnit.SECONDS), "a write of the file waits for the settle time");
        }
    }

    /** An editor's save: a temporary file renamed over the config; other files in the directory are not ours. */
    @Test
    void aRenameOverTheFileReloadsAndOtherFilesDoNot(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("cluster.yaml");
        Files.writeString(config, "masquerade: true\n");
        try (ReloadTriggers triggers = ReloadTriggers.start(config, reloads::add)) {
            Files.writeString(dir.resolve("notes.txt"), "not the config\n");
            assertNull(reloads.poll(ReloadTriggers.SETTLE_MS * 3, TimeUnit.MILLISECONDS), "another file changed");

            Path temporary = dir.resolve(".cluster.yaml.swp");
            Files.writeString(temporary, "masquerade: false\n");
            Files.move(temporary, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertEquals("file change", reloads.poll(5, TimeUnit.SECONDS));
        }
    }

    /**
     * podswitchd started with SIGHUP ignored (by {@code nohup}, or by any parent that ignored it: the
     * disposition is inherited across fork and exec, so a test run started under nohup passes it on to every
     * daemon it launches) still reloads on SIGHUP. Without {@link ReloadTriggers#handleSighup}'s reset the JVM
     * keeps the signal ignored and the handler never runs.
     */
    @Test
    void aSighupIgnoredAtLaunchStillReloads(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("cluster.yaml");
        Files.writeString(config, "masquerade: true\n");
        Process probe = new ProcessBuilder("nohup", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), SighupProbe.class.getName(), config.toString())
                .redirectErrorStream(true).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = probe.inputReader()) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("read failed: " + e);
            }
        });
        try {
            List<String> seen = new ArrayList<>();
            awaitLine(lines, seen, "ready");
            assertTrue(seen.contains("hup ignored at start: true"), "nohup ignores SIGHUP for the probe: " + seen);
            assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(probe.pid())).inheritIO().start().waitFor());
            awaitLine(lines, seen, "reload SIGHUP");
            assertTrue(probe.isAlive(), "SIGHUP does not stop it: " + seen);
        } finally {
            probe.getOutputStream().close();
            if (!probe.waitFor(10, TimeUnit.SECONDS)) {
                probe.destroyForcibly().waitFor();
            }
            reader.join(5_000);
        }
    }

    /** Waits for {@code expected} (60 s: a JVM starting on a loaded machine); every line read goes to {@code seen}. */
    private static void awaitLine(LinkedBlockingQueue<String> lines, List<String> seen, String expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!seen.contains(expected)) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no '" + expected + "' from the probe in 60 s: " + seen);
            }
            seen.add(line);
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }
}
