package io.podswitch.perf.sides;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's ConfigMap volume is laid out and swapped as the kubelet's AtomicWriter does it. */
class ConfigMapVolumeTest {

    @Test
    void anUpdateSwapsTheDataLinkAndRemovesTheOldVersion(@TempDir Path dir) throws Exception {
        ConfigMapVolume volume = ConfigMapVolume.create(dir.resolve("config"), "a: 1\n");
        Path config = dir.resolve("config");
        assertEquals(Path.of("..data", "cluster.yaml"), Files.readSymbolicLink(volume.file()));
        assertEquals("a: 1\n", Files.readString(volume.file()));
        Path first = config.resolve(Files.readSymbolicLink(config.resolve("..data")));

        volume.update("a: 2\n");
        assertEquals("a: 2\n", Files.readString(volume.file()));
        assertTrue(Files.isSymbolicLink(volume.file()), "the user-visible file stays a link");
        assertTrue(Files.notExists(first), "the old version is removed");
        try (Stream<Path> entries = Files.list(config)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("..2", "..data", "cluster.yaml"), names, "no ..data_tmp left behind");
        }
    }
}
