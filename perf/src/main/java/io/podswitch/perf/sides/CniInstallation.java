package io.podswitch.perf.sides;

import io.podswitch.cni.install.InstallCni;
import io.podswitch.cni.install.PluginJvm;
import io.podswitch.perf.bench.jvm.SubjectJvmLog;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.topo.BenchShutdown;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CNI plugin as {@code podswitch install-cni} installs it on a node — launcher, jar, AOT cache,
 * the shipped conflist — made once per JVM in a temp dir (the AOT training takes seconds) and
 * removed at exit. install-cni runs in this JVM through {@link InstallCni#run}, the same code as the
 * command. The launcher serves every daemon: which daemon a pod goes to is the conflist's
 * {@code socket}. The reference plugins a conflist chains (portmap; loopback for ctr) are linked into
 * the bin dir from where Debian installs them, for runtimes that search one directory.
 *
 * <pre>
 *   tmp/bin/podswitch-cni   tmp/net.d/10-podswitch.conflist   tmp/plugin/{podswitch-cni.jar, podswitch-cni.aot}
 * </pre>
 */
public final class CniInstallation {
    static final List<String> REFERENCE_PLUGINS = List.of("portmap", "loopback");
    static final List<Path> REFERENCE_PLUGIN_DIRS = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));
    private static CniInstallation shared;

    private final Path root;
    private final String report;

    private CniInstallation(Path root, String report) {
        this.root = root;
        this.report = report;
    }

    /** The installation of this JVM, made on first use. */
    public static synchronized CniInstallation shared() throws Exception {
        if (shared == null) {
            Path root = Files.createTempDirectory("podswitch-cni-installed-");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
            int exit = InstallCni.run(new String[] {"--cni-bin-dir", root.resolve("bin").toString(), "--cni-conf-dir",
                    root.resolve("net.d").toString(), "--plugin-dir", root.resolve("plugin").toString(), "--plugin-jar",
                    pluginJar().toString()}, print, print);
            if (exit != 0) {
                delete(root);
                throw new IOException("install-cni exited " + exit + ": " + out.toString(StandardCharsets.UTF_8));
            }
            linkReferencePlugins(root.resolve("bin"));
            shared = new CniInstallation(root, out.toString(StandardCharsets.UTF_8));
            BenchShutdown.register(() -> delete(root));
        }
        return shared;
    }

    /** For the report: the plugin runs in a JVM per call, with its shipped flags (never C2, by design). */
    public void recordSubjectJvm() throws IOException {
        SubjectJvmLog.startingAsShipped(Measurement.PODSWITCH, "CNI plugin child JVM per call (the launcher install-cni "
                + "wrote, AOT cache)", PluginJvm.flags());
    }

    public Path binDir() {
        return root.resolve("bin");
    }

    /** The installed launcher, as runtimes execute it. */
    public Path launcher() {
        return binDir().resolve("podswitch-cni");
    }

    /** The installed plugin jar (its AOT cache is {@link #aotCache}). */
    public Path jar() {
        return root.resolve("plugin").resolve("podswitch-cni.jar");
    }

    public Path aotCache() {
        return root.resolve("plugin").resolve("podswitch-cni.aot");
    }

    /** The conflist install-cni wrote (the shipped one). */
    public Path conflist() {
        return root.resolve("net.d").resolve("10-podswitch.conflist");
    }

    /** What install-cni printed. */
    public String report() {
        return report;
    }

    /**
     * The plugin jar to install: the one this JVM loaded install-cni from (bin/podswitch bench runs
     * on jars), else the module's build output (tests run on class directories).
     */
    static Path pluginJar() throws IOException, SideUnavailableException {
        Path own = InstallCni.ownJar();
        if (own != null) {
            return own;
        }
        for (Path target : List.of(Path.of("../cni-plugin/target"), Path.of("cni-plugin/target"))) {
            if (Files.isDirectory(target)) {
                try (Stream<Path> files = Files.list(target)) {
                    var jar = files.filter(f -> f.getFileName().toString().matches("podswitch-cni-[^-]+(-SNAPSHOT)?\\.jar"))
                            .findFirst();
                    if (jar.isPresent()) {
                        return jar.get().toAbsolutePath().normalize();
                    }
                }
            }
        }
        throw new SideUnavailableException("the podswitch-cni jar is not built (scripts/build)");
    }

    private static void linkReferencePlugins(Path binDir) throws IOException {
        for (String name : REFERENCE_PLUGINS) {
            for (Path dir : REFERENCE_PLUGIN_DIRS) {
                if (Files.isExecutable(dir.resolve(name)) && !Files.exists(binDir.resolve(name))) {
                    Files.createSymbolicLink(binDir.resolve(name), dir.resolve(name));
                }
            }
        }
    }

    private static void delete(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not delete " + root + ": " + e.getMessage());
        }
    }
}
