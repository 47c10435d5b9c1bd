package io.podswitch.cni.install;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The JDK the installed plugin runs on: one on the host ({@code --java-home}, by default the one
 * running install-cni), or a copy of it under the plugin dir ({@code --copy-java}: a DaemonSet's
 * init container brings its JDK to a host that has none).
 */
record JavaRuntime(Path home) {
    static final int MIN_FEATURE = 25;

    Path java() {
        return home.resolve("bin").resolve("java");
    }

    /** Checks that {@code home} holds a JDK 25+ ({@code release}'s JAVA_VERSION, {@code bin/java}). */
    static JavaRuntime at(Path home) throws InstallException {
        JavaRuntime rt = new JavaRuntime(home.toAbsolutePath().normalize());
        if (!Files.isExecutable(rt.java())) {
            throw new InstallException(InstallException.FAILED, "no java in " + home + " (bin/java missing)");
        }
        int feature = rt.feature();
        if (feature < MIN_FEATURE) {
            throw new InstallException(InstallException.FAILED, home + " is Java " + (feature < 0 ? "of unknown version"
                    : feature) + "; the plugin needs " + MIN_FEATURE + " or newer");
        }
        return rt;
    }

    /** JAVA_VERSION's feature number from {@code release}, or -1. */
    int feature() {
        String v = releaseValue("JAVA_VERSION");
        if (v == null) {
            return -1;
        }
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? -1 : Integer.parseInt(v.substring(0, end));
    }

    /** What identifies this JDK build for the AOT cache: its release file and the size of its module image. */
    String identity() throws IOException {
        Path release = home.resolve("release");
        Path modules = home.resolve("lib").resolve("modules");
        String text = Files.isRegularFile(release) ? Files.readString(release) : "";
        return text + "\nmodules " + (Files.isRegularFile(modules) ? Files.size(modules) : -1);
    }

    private String releaseValue(String key) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith(key + "=")) {
                    return line.substring(key.length() + 1).replace("\"", "").strip();
                }
            }
        } catch (IOException e) {
            // no release file: unknown version
        }
        return null;
    }

    /**
     * Copies this JDK to {@code target} unless the copy there is already the same build. The copy
     * is made next to it and swapped in by renames, so a plugin starting meanwhile runs on one
     * complete JDK or the other (it keeps files it opened).
     * @return the runtime at {@code target}, and whether it was copied now
     */
    Copy copyTo(Path target) throws IOException, InstallException {
        if (Files.isDirectory(target) && new JavaRuntime(target).identity().equals(identity())) {
            return new Copy(JavaRuntime.at(target), false);
        }
        Path fresh = target.resolveSibling("." + target.getFileName() + ".new");
        Path old = target.resolveSibling("." + target.getFileName() + ".old");
        deleteTree(fresh);
        deleteTree(old);
        copyTree(home, fresh);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        AtomicFiles.moveIntoPlace(fresh, target);
        deleteTree(old);
        return new Copy(JavaRuntime.at(target), true);
    }

    record Copy(JavaRuntime runtime, boolean copied) {
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.copy(dir, to.resolve(from.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
