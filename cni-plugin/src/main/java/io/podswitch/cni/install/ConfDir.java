package io.podswitch.cni.install;

import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A CNI configuration directory as the runtimes read it. libcni's {@code ConfFiles} lists the
 * files ending in {@code .conf}, {@code .conflist} or {@code .json}, sorted by name; containerd
 * (go-cni) and CRI-O (ocicni) use the <em>first</em> one as the pod network, so a file that sorts
 * before ours wins. podman picks networks by name and reads them all.
 */
final class ConfDir {
    static final List<String> EXTENSIONS = List.of(".conf", ".conflist", ".json");

    private final Path dir;

    ConfDir(Path dir) {
        this.dir = dir;
    }

    /** The files a runtime loads, in its order (byte order of the names, as Go's sort.Strings). */
    List<Path> configFiles() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> isConfigName(f.getFileName().toString()) && Files.isRegularFile(f))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        }
    }

    static boolean isConfigName(String name) {
        for (String ext : EXTENSIONS) {
            if (name.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }

    /** Other files that define a network called {@code network} (runtimes would see it twice). */
    List<Path> othersNaming(String network, Path ours) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path f : configFiles()) {
            if (!f.getFileName().equals(ours.getFileName()) && network.equals(networkName(f))) {
                out.add(f);
            }
        }
        return out;
    }

    /** The {@code name} a config file declares, or null when it cannot be read as one. */
    static String networkName(Path file) {
        try {
            if (JsonParser.parse(Files.readAllBytes(file)) instanceof JsonObject o
                    && o.get("name") instanceof JsonString s) {
                return s.value();
            }
        } catch (IOException | RuntimeException e) {
            // Not ours to judge: a runtime will report it; we only look for name clashes.
        }
        return null;
    }
}
