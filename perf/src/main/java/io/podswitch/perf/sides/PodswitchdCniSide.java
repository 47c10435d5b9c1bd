package io.podswitch.perf.sides;

import io.podswitch.perf.baseline.CniPluginRunner;
import io.podswitch.perf.bench.side.CniSide;

import io.podswitch.perf.bench.jvm.SubjectJvmLog;
import io.podswitch.perf.report.Measurement;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * podswitch's CNI plugin executed as a runtime executes it, against a podswitchd started for the
 * scenario: the first ADD starts the daemon ({@link PodswitchdProcess}; the scenario's warm-up
 * repetition absorbs that), every ADD/DEL runs the plugin JVM ({@code io.podswitch.cni.PodswitchCni},
 * with bin/podswitch-cni's JVM flags) through a launcher script, via {@link CniPluginRunner} like the
 * reference plugins; {@link #finish} stops the daemon.
 */
public final class PodswitchdCniSide implements CniSide {
    static final String PLUGIN_CLASS = "io.podswitch.cni.PodswitchCni";
    /** bin/podswitch-cni's flags: start-up time is pod start-up time. */
    static final List<String> PLUGIN_FLAGS = List.of("-Xlog:disable", "-Xlog:all=warning:stderr",
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-XX:-UsePerfData", "-Xss512k");
    private static final int MAX_PODS = 256;

    private PodswitchdProcess daemon;
    private CniPluginRunner plugin;

    @Override
    public synchronized void add(String containerId, Path netns, String ifName) throws Exception {
        runner().add(containerId, netns, ifName);
    }

    @Override
    public synchronized void del(String containerId, Path netns, String ifName) throws Exception {
        runner().del(containerId, netns, ifName);
    }

    @Override
    public synchronized void finish() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
            plugin = null;
        }
    }

    private CniPluginRunner runner() throws Exception {
        if (plugin == null) {
            String classPath = absoluteClassPath();
            daemon = PodswitchdProcess.start(classPath, MAX_PODS);
            try {
                Path launcher = launcher(daemon.directory().resolve("cni-bin"), classPath);
                plugin = new CniPluginRunner(launcher, "{\"cniVersion\":\"1.1.0\",\"name\":\"podswitch-bench\","
                        + "\"type\":\"podswitch-cni\",\"socket\":\"" + daemon.socket() + "\"}");
            } catch (Exception e) {
                finish();
                throw e;
            }
        }
        return plugin;
    }

    /** The bench JVM's class path with absolute entries (the plugin and daemon may run elsewhere). */
    static String absoluteClassPath() {
        return List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(e -> !e.isEmpty()).map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** {@code dir/podswitch-cni}: a shell launcher that execs the plugin JVM, as bin/podswitch-cni does. */
    static Path launcher(Path dir, String classPath) throws Exception {
        SubjectJvmLog.startingAsShipped(Measurement.PODSWITCH, "CNI plugin child JVM per call (bin/podswitch-cni's flags)",
                PLUGIN_FLAGS);
        Files.createDirectories(dir);
        List<String> words = new ArrayList<>();
        words.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        words.addAll(PLUGIN_FLAGS);
        words.addAll(List.of("-cp", classPath, PLUGIN_CLASS));
        String command = words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        Path script = dir.resolve("podswitch-cni");
        Files.writeString(script, "#!/bin/sh\nexec " + command + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
