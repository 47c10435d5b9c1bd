package io.podswitch.perf.runtime;

import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Removing a runtime's temp dir even after a crash: mounts below it first, then the files. */
final class TempDirs {
    private TempDirs() {
    }

    static void remove(Path dir) {
        for (String mount : mountsUnder(dir)) {
            try {
                Exec.exec(List.of("umount", "-l", mount), Exec.DEFAULT_TIMEOUT);
            } catch (IOException e) {
                // deleting below reports what is left
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // already gone
        }
    }

    /** Mount points below {@code root}, deepest first (a crashed run may leave container shm mounts). */
    static List<String> mountsUnder(Path root) {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 1 && f[1].startsWith(root.toString() + "/")) {
                    out.add(f[1]);
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparingInt(String::length).reversed());
        return out;
    }
}
