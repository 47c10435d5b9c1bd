package io.podswitch.perf.baseline;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds external programs on PATH plus the sbin directories PATH often lacks, or CNI plugins. */
public final class ToolFinder {

    private static final List<String> EXTRA_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

    private final List<Path> directories;

    public ToolFinder(List<Path> directories) {
        this.directories = List.copyOf(directories);
    }

    public static ToolFinder fromEnvironment() {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String p : path.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    dirs.add(Path.of(p));
                }
            }
        }
        EXTRA_DIRS.forEach(d -> dirs.add(Path.of(d)));
        return new ToolFinder(dirs);
    }

    /** CNI plugins live outside PATH: CNI_PATH if set, else the usual plugin directories. */
    public static ToolFinder cniPlugins() {
        List<Path> dirs = new ArrayList<>();
        String cniPath = System.getenv("CNI_PATH");
        if (cniPath != null && !cniPath.isBlank()) {
            for (String p : cniPath.split(File.pathSeparator)) {
                dirs.add(Path.of(p));
            }
        } else {
            List.of("/opt/cni/bin", "/usr/lib/cni", "/usr/libexec/cni").forEach(d -> dirs.add(Path.of(d)));
        }
        return new ToolFinder(dirs);
    }

    public Optional<Path> find(String name) {
        if (name.contains("/")) {
            throw new IllegalArgumentException("tool names are bare program names, got '" + name + "'");
        }
        for (Path dir : directories) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
