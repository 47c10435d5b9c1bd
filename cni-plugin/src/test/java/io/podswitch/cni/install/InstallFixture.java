package io.podswitch.cni.install;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** A node's CNI directories in a temp dir, the plugin jar built from this module's classes, and install-cni runs. */
final class InstallFixture {
    final Path root;
    final Path binDir;
    final Path confDir;
    final Path pluginDir;
    final Path jar;

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n" + out + err;
        }
    }

    InstallFixture(Path root) throws IOException {
        this.root = root;
        this.binDir = root.resolve("opt/cni/bin");
        this.confDir = root.resolve("etc/cni/net.d");
        this.pluginDir = root.resolve("var/lib/podswitch/cni");
        this.jar = buildJar(root.resolve("build/podswitch-cni.jar"));
        Files.createDirectories(confDir);
    }

    /** install-cni with the fixture's directories and jar, plus {@code extra}. */
    Run install(String... extra) {
        List<String> args = new ArrayList<>(List.of("--cni-bin-dir", binDir.toString(), "--cni-conf-dir",
                confDir.toString(), "--plugin-dir", pluginDir.toString(), "--plugin-jar", jar.toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = InstallCni.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The jar as Maven packages it: this module's classes and resources (target/classes). */
    private static Path buildJar(Path target) throws IOException {
        Path classes;
        try {
            classes = Path.of(PluginJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Files.createDirectories(target.getParent());
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(file);
             Stream<Path> entries = Files.walk(classes)) {
            for (Path p : entries.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(p).toString()));
                jar.write(Files.readAllBytes(p));
                jar.closeEntry();
            }
        }
        return target;
    }
}
