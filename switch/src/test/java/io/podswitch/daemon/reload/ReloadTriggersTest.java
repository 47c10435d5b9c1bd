package io.podswitch.daemon.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    private static void deleteTree(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }
}
