package io.podswitch.cni.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Installs and uninstalls the plugin (what {@code podswitch install-cni} does), in the order that
 * keeps a node usable at every step: the JDK copy, the jar and the AOT cache first, then the
 * launcher (verified by running it), and the conflist <em>last</em> — a runtime that sees the
 * network can call the plugin. Uninstall goes the other way round. Each file is replaced
 * atomically and only when its content changes; what was written is recorded in
 * {@link InstallManifest} right away, so a later run (or {@code --uninstall}) knows its own files
 * after an interruption. Two installers on one node (a restarted init container) take turns on a
 * lock file.
 */
final class CniInstaller {
    static final String JAR_NAME = "podswitch-cni.jar";
    static final String AOT_CACHE_NAME = "podswitch-cni.aot";
    static final String JAVA_COPY_NAME = "java";
    static final String LOCK_NAME = ".install.lock";
    static final String SHIPPED_CONFLIST = "10-podswitch.conflist";

    private final InstallOptions o;
    private final Consumer<String> report;

    CniInstaller(InstallOptions options, Consumer<String> report) {
        this.o = options;
        this.report = report;
    }

    // ---------------------------------------------------------------- install

    void install() throws InstallException, IOException {
        Conflist conflist = loadConflist();
        Files.createDirectories(o.pluginDir());
        try (FileChannel lockFile = lockFile(); FileLock ignored = lockFile.lock()) {
            InstallManifest manifest = InstallManifest.read(o.pluginDir());
            for (String w : conflist.warnings()) {
                report.accept("warning: " + w);
            }
            JavaRuntime java = installJava(manifest);
            Path jar = installJar(manifest);
            Path cache = o.aotCache() ? installAotCache(manifest, java, jar) : removeAotCache(manifest);
            Path launcher = installLauncher(manifest, java, jar, cache);
            Path conf = installConflist(manifest, conflist);
            if (!o.copyJava()) {
                removeJavaCopy(manifest);
            }
            reportRuntimeView(conflist, conf);
            report.accept("ready: runtimes run " + launcher + " for network \"" + conflist.name() + "\" (cniVersion "
                    + conflist.cniVersion() + (conflist.cniVersions().isEmpty() ? ""
                    : ", cniVersions " + String.join(", ", conflist.cniVersions())) + ")");
        }
    }

    private Conflist loadConflist() throws InstallException, IOException {
        Conflist c;
        if (o.conflist() != null) {
            c = Conflist.parse(Files.readAllBytes(o.conflist()), o.conflist().toString());
        } else {
            try (InputStream in = CniInstaller.class.getResourceAsStream(SHIPPED_CONFLIST)) {
                if (in == null) {
                    throw new InstallException(InstallException.FAILED, SHIPPED_CONFLIST + " is missing from the jar");
                }
                c = Conflist.parse(in.readAllBytes(), "the shipped " + SHIPPED_CONFLIST);
            }
        }
        return o.socket() == null ? c : c.withSocket(o.socket());
    }

    private JavaRuntime installJava(InstallManifest manifest) throws InstallException, IOException {
        JavaRuntime java = JavaRuntime.at(o.javaHome());
        if (!o.copyJava()) {
            return java;
        }
        Path target = o.pluginDir().resolve(JAVA_COPY_NAME);
        JavaRuntime.Copy copy = java.copyTo(target);
        manifest.put(InstallManifest.JAVA, target, AtomicFiles.sha256(copy.runtime().identity().getBytes()));
        manifest.write(o.pluginDir());
        report.accept("java      " + target + ": " + (copy.copied() ? "copied from " + java.home() : "unchanged"));
        return copy.runtime();
    }

    private Path installJar(InstallManifest manifest) throws InstallException, IOException {
        if (!Files.isRegularFile(o.pluginJar())) {
            throw new InstallException(InstallException.FAILED, "plugin jar " + o.pluginJar() + " not found (is it built?)");
        }
        Path target = o.pluginDir().resolve(JAR_NAME);
        boolean written = AtomicFiles.copy(o.pluginJar(), target, AtomicFiles.READABLE);
        manifest.put(InstallManifest.JAR, target, AtomicFiles.sha256(target));
        manifest.write(o.pluginDir());
        report.accept("jar       " + target + ": " + (written ? "installed from " + o.pluginJar() : "unchanged"));
        return target;
    }

    private Path installAotCache(InstallManifest manifest, JavaRuntime java, Path jar)
            throws InstallException, IOException {
        Path cache = o.pluginDir().resolve(AOT_CACHE_NAME);
        String fingerprint = AotCache.fingerprint(java.home() + "\n" + java.identity(), AtomicFiles.sha256(jar),
                PluginJvm.flags());
        InstallManifest.Entry known = manifest.get(InstallManifest.AOT_CACHE);
        boolean current = known != null && known.sha256().equals(fingerprint) && Files.isRegularFile(cache);
        long start = System.nanoTime();
        if (!current) {
            AotCache.train(java.java(), jar, cache);
        }
        AotCache.verify(java.java(), jar, cache);
        manifest.put(InstallManifest.AOT_CACHE, cache, fingerprint);
        manifest.write(o.pluginDir());
        report.accept("aot cache " + cache + ": " + (current ? "unchanged (verified)" : String.format(Locale.ROOT,
                "trained and verified in %.1f s, %.1f MB", (System.nanoTime() - start) / 1e9, Files.size(cache) / 1e6)));
        return cache;
    }

    private Path removeAotCache(InstallManifest manifest) throws IOException {
        InstallManifest.Entry known = manifest.get(InstallManifest.AOT_CACHE);
        if (known != null && AtomicFiles.delete(known.path())) {
            report.accept("aot cache " + known.path() + ": removed (--no-aot-cache)");
        }
        manifest.remove(InstallManifest.AOT_CACHE);
        manifest.write(o.pluginDir());
        return null;
    }

    private Path installLauncher(InstallManifest manifest, JavaRuntime java, Path jar, Path cache)
            throws InstallException, IOException {
        Path launcher = o.cniBinDir().resolve(PluginLauncher.NAME);
        byte[] script = PluginLauncher.render(java.java(), jar, cache);
        InstallManifest.Entry previous = manifest.get(InstallManifest.LAUNCHER);
        boolean written = AtomicFiles.write(launcher, script, AtomicFiles.EXECUTABLE);
        manifest.put(InstallManifest.LAUNCHER, launcher, AtomicFiles.sha256(script));
        manifest.write(o.pluginDir());
        verifyLauncher(launcher);
        report.accept("launcher  " + launcher + ": " + (written ? "written" : "unchanged") + " (verified)");
        if (previous != null && !previous.path().equals(launcher)) {
            removeIfUnchanged(previous, "launcher  ");
        }
        return launcher;
    }

    /** Runs the installed launcher as a runtime would (VERSION): the JVM starts and stderr stays empty. */
    private static void verifyLauncher(Path launcher) throws InstallException, IOException {
        ChildProcess run = ChildProcess.run(List.of(launcher.toString()), Map.of("CNI_COMMAND", "VERSION"),
                "{\"cniVersion\":\"1.0.0\"}", AotCache.VERIFY_TIMEOUT_SECONDS);
        if (run.exit() != 0 || !run.stdout().contains("\"supportedVersions\"")) {
            throw new InstallException(InstallException.FAILED, launcher + " does not run (exit " + run.exit() + "): "
                    + run.output());
        }
        if (!run.stderr().isBlank()) {
            throw new InstallException(InstallException.FAILED, launcher + " runs but the JVM complains (every pod start "
                    + "would log this): " + run.stderr().strip());
        }
    }

    private Path installConflist(InstallManifest manifest, Conflist conflist) throws IOException {
        Path target = o.cniConfDir().resolve(o.conflistName());
        InstallManifest.Entry previous = manifest.get(InstallManifest.CONFLIST);
        String before = Files.isRegularFile(target) ? AtomicFiles.sha256(target) : null;
        boolean written = AtomicFiles.write(target, conflist.bytes(), AtomicFiles.READABLE);
        manifest.put(InstallManifest.CONFLIST, target, AtomicFiles.sha256(conflist.bytes()));
        manifest.write(o.pluginDir());
        String how = !written ? "unchanged"
                : before == null ? "written"
                : previous != null && before.equals(previous.sha256()) ? "updated"
                : "replaced (it was not what install-cni last wrote there)";
        report.accept("conflist  " + target + ": " + how);
        if (previous != null && !previous.path().equals(target)) {
            removeIfUnchanged(previous, "conflist  ");
        }
        return target;
    }

    /** What the runtimes will make of the conf dir: which file containerd/CRI-O pick, name clashes, missing plugins. */
    private void reportRuntimeView(Conflist conflist, Path ours) throws IOException {
        ConfDir dir = new ConfDir(o.cniConfDir());
        List<Path> files = dir.configFiles();
        if (!files.isEmpty() && !files.get(0).getFileName().equals(ours.getFileName())) {
            report.accept("note: containerd and CRI-O use the first config file by name, " + files.get(0).getFileName()
                    + ", not " + ours.getFileName() + "; to make podswitch the pod network, remove it or install with "
                    + "--conflist-name under a name that sorts first (e.g. 00-podswitch.conflist). podman picks "
                    + "networks by name (--network " + conflist.name() + ")");
        } else {
            report.accept("order: " + ours.getFileName() + " is the first of " + files.size() + " config file(s) in "
                    + o.cniConfDir() + ": containerd and CRI-O use it");
        }
        for (Path other : dir.othersNaming(conflist.name(), ours)) {
            report.accept("warning: " + other + " also defines network \"" + conflist.name()
                    + "\"; runtimes use whichever sorts first");
        }
        for (String type : conflist.pluginTypes()) {
            if (!Files.isExecutable(o.cniBinDir().resolve(type))) {
                report.accept("note: chained plugin \"" + type + "\" is not in " + o.cniBinDir() + "; runtimes that "
                        + "search only that directory fail every ADD (Debian/Ubuntu's containernetworking-plugins "
                        + "installs it in /usr/lib/cni; podman searches there too)");
            }
        }
    }

    // ---------------------------------------------------------------- uninstall

    void uninstall() throws IOException {
        if (!Files.isDirectory(o.pluginDir())) {
            report.accept("nothing to uninstall: " + o.pluginDir() + " does not exist");
            removeStrayLauncher(o.cniBinDir().resolve(PluginLauncher.NAME));
            return;
        }
        try (FileChannel lockFile = lockFile(); FileLock ignored = lockFile.lock()) {
            InstallManifest manifest = InstallManifest.read(o.pluginDir());
            InstallManifest.Entry conf = manifest.get(InstallManifest.CONFLIST);
            if (conf != null) {
                removeIfUnchanged(conf, "conflist  ");
            }
            InstallManifest.Entry launcher = manifest.get(InstallManifest.LAUNCHER);
            removeStrayLauncher(launcher != null ? launcher.path() : o.cniBinDir().resolve(PluginLauncher.NAME));
            for (String role : List.of(InstallManifest.AOT_CACHE, InstallManifest.JAR)) {
                InstallManifest.Entry e = manifest.get(role);
                if (e != null && AtomicFiles.delete(e.path())) {
                    report.accept((role.equals(InstallManifest.JAR) ? "jar       " : "aot cache ") + e.path() + ": removed");
                }
            }
            removeJavaCopy(manifest);
            AtomicFiles.delete(InstallManifest.location(o.pluginDir()));
            Files.deleteIfExists(o.pluginDir().resolve(LOCK_NAME));
        }
        try (var left = Files.list(o.pluginDir())) {
            if (left.findAny().isEmpty()) {
                Files.delete(o.pluginDir());
            }
        }
        report.accept("uninstalled");
    }

    /** Deletes a launcher only if install-cni wrote it (its marker line), whatever else it says now. */
    private void removeStrayLauncher(Path launcher) throws IOException {
        if (Files.isRegularFile(launcher) && PluginLauncher.isOurs(Files.readAllBytes(launcher))
                && AtomicFiles.delete(launcher)) {
            report.accept("launcher  " + launcher + ": removed");
        }
    }

    private void removeJavaCopy(InstallManifest manifest) throws IOException {
        InstallManifest.Entry e = manifest.get(InstallManifest.JAVA);
        if (e != null) {
            JavaRuntime.deleteTree(e.path());
            manifest.remove(InstallManifest.JAVA);
            if (Files.exists(InstallManifest.location(o.pluginDir()))) {
                manifest.write(o.pluginDir());
            }
            report.accept("java      " + e.path() + ": removed");
        }
    }

    /** Deletes a file install-cni wrote, unless someone changed it since (then it says so and leaves it). */
    private void removeIfUnchanged(InstallManifest.Entry e, String label) throws IOException {
        if (!Files.isRegularFile(e.path())) {
            return;
        }
        if (AtomicFiles.sha256(e.path()).equals(e.sha256())) {
            AtomicFiles.delete(e.path());
            report.accept(label + e.path() + ": removed");
        } else {
            report.accept(label + e.path() + ": left in place (changed since install-cni wrote it)");
        }
    }

    private FileChannel lockFile() throws IOException {
        return FileChannel.open(o.pluginDir().resolve(LOCK_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
}
