package io.podswitch.perf.sides;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A directory laid out and updated as the kubelet's AtomicWriter does a ConfigMap volume (podswitch's DaemonSet
 * mounts {@code /etc/podswitch} so): {@code cluster.yaml} → {@code ..data/cluster.yaml}, {@code ..data} → a
 * versioned directory. {@link #update} writes a new directory, links {@code ..data_tmp} to it and renames that
 * link over {@code ..data} — no file is renamed over another, so ext4 does not flush one on the way — then
 * removes the old directory. That is how a cluster file changes under a running podswitchd in a cluster, and
 * what its file watch reloads on at once.
 */
final class ConfigMapVolume {
    static final String FILE = "cluster.yaml";
    private static final String DATA = "..data";
    private static final String DATA_TMP = "..data_tmp";

    private final Path directory;
    private long version;

    private ConfigMapVolume(Path directory) {
        this.directory = directory;
    }

    /** Creates {@code directory} holding {@code text} as {@value #FILE}. */
    static ConfigMapVolume create(Path directory, String text) throws IOException {
        Files.createDirectories(directory);
        ConfigMapVolume volume = new ConfigMapVolume(directory);
        volume.update(text);
        Files.createSymbolicLink(directory.resolve(FILE), Path.of(DATA, FILE));
        return volume;
    }

    /** The path a reader opens (the user-visible link). */
    Path file() {
        return directory.resolve(FILE);
    }

    /** The kubelet's update: new versioned directory, {@code ..data} swapped to it, the old one removed. */
    synchronized void update(String text) throws IOException {
        Path previous = version == 0 ? null : directory.resolve(versionName(version));
        Path next = directory.resolve(versionName(++version));
        Files.createDirectory(next);
        Files.writeString(next.resolve(FILE), text);
        Path link = directory.resolve(DATA_TMP);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, next.getFileName());
        Files.move(link, directory.resolve(DATA), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (previous != null) {
            try (Stream<Path> old = Files.walk(previous)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String versionName(long version) {
        return ".." + version;
    }
}
