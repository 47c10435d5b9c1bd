package io.podswitch.perf.sides;

import io.podswitch.api.CniApi;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.cni.install.PluginJvm;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.perf.baseline.CniPluginRunner;
import io.podswitch.perf.bench.side.CniSide;
import io.podswitch.perf.runtime.Conflists;

import io.podswitch.perf.bench.jvm.SubjectJvmLog;
import io.podswitch.perf.report.Measurement;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import tools.jackson.databind.node.ObjectNode;

/**
 * podswitch's CNI plugin executed as a runtime executes it, against a podswitchd started for the
 * scenario: the first ADD starts the daemon ({@link PodswitchdProcess}; the scenario's warm-up
 * repetition absorbs that), every ADD/DEL runs the launcher {@code install-cni} installed (one
 * {@code exec} of the plugin JVM with its AOT cache; {@link CniInstallation}) via
 * {@link CniPluginRunner}, like the reference plugins; {@link #finish} stops the daemon.
 * {@link #daemonAlone} sends the same requests straight to the daemon, for its share of the time.
 */
public final class PodswitchdCniSide implements CniSide {
    static final String PLUGIN_CLASS = "io.podswitch.cni.PodswitchCni";
    /** bin/podswitch-cni's flags: start-up time is pod start-up time. */
    static final List<String> PLUGIN_FLAGS = PluginJvm.flags();
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

    @Override
    public synchronized Optional<CniSide> daemonAlone() {
        return Optional.of(new CniSide() {
            @Override
            public void add(String containerId, Path netns, String ifName) throws Exception {
                post(CniApi.PATH_ADD, containerId, netns, ifName);
            }

            @Override
            public void del(String containerId, Path netns, String ifName) throws Exception {
                post(CniApi.PATH_DEL, containerId, netns, ifName);
            }
        });
    }

    /** The request the plugin would send, straight on the daemon's socket (the daemon's share of a CNI call). */
    private void post(String path, String containerId, Path netns, String ifName) throws Exception {
        runner();
        ObjectNode request = JsonCodec.object().put("cniVersion", "1.0.0").put("network", "podswitch-bench")
                .put("containerID", containerId).put("netns", netns.toString()).put("ifName", ifName);
        request.putObject("args");
        HttpResponse r = new UnixHttpClient(daemon.socket(), TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                .exchange(HttpRequest.postJson(path, JsonCodec.text(request)),
                        System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        if (r.status() != 200) {
            throw new IOException(path + " answered " + r.status() + ": " + r.bodyText());
        }
    }

    /**
     * The first call starts podswitchd and takes the plugin as install-cni installed it (launcher, AOT
     * cache, the shipped conflist's podswitch-cni entry with this daemon's socket): what a node runs.
     */
    private CniPluginRunner runner() throws Exception {
        if (plugin == null) {
            daemon = PodswitchdProcess.start(absoluteClassPath(), MAX_PODS);
            try {
                CniInstallation installed = CniInstallation.shared();
                installed.recordSubjectJvm();
                String conflist = Files.readString(installed.conflist());
                plugin = new CniPluginRunner(installed.launcher(), JsonCodec.text(
                        Conflists.pluginNetconf(Conflists.forDaemon(conflist, "podswitch-bench", daemon.socket()))));
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
