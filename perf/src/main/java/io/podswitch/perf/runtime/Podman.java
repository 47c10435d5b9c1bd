package io.podswitch.perf.runtime;

import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * podman 4 (Debian's 4.3.1: CNI network backend, runc) confined to a temp dir: {@code CONTAINERS_CONF}
 * names a containers.conf that points the CNI config and plugin dirs, the lock/tmp dir and the event
 * log into it, and the storage ({@code --root}, vfs driver) lives there too, the {@code --runroot} in
 * a short temp dir of its own (podman refuses one longer than 50 characters) — the machine's own
 * podman configuration is never read or changed. What these machines need:
 * <ul>
 *   <li>{@code default_ulimits}: rootful podman otherwise asks runc for RLIMIT_NOFILE/NPROC of
 *       1048576, which fails without CAP_SYS_RESOURCE ("error setting rlimit type 6: operation not
 *       permitted"); the limits must not exceed what conmon runs with (nproc 32768 here, below the
 *       caller's hard limit), so 4096 each;</li>
 *   <li>{@code runtime = "runc"}: crun aborts on these hosts' hybrid cgroup layout;</li>
 *   <li>no registry: {@link #importBusybox} imports a busybox-static root file system.</li>
 * </ul>
 * The one shared thing is libcni's result cache, /var/lib/cni/results (a fixed path in podman 4.3):
 * podman's DEL removes its entries, and {@link #close} removes those of this instance's containers
 * if a failure left any.
 */
public final class Podman implements AutoCloseable {
    public static final String IMAGE = "localhost/podswitch-busybox:1";
    public static final String INSTALL_HINT = "apt-get install -y podman runc containernetworking-plugins";
    static final Path CNI_RESULT_CACHE = Path.of("/var/lib/cni/results");
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final Path runRoot;
    private final Path confDir;
    private final Map<String, String> env;
    private final Set<String> containers = new LinkedHashSet<>();

    /**
     * @param dir        a fresh directory this instance owns (deleted by {@link #close})
     * @param pluginDirs where podman looks up CNI plugins, in order (Debian's are in /usr/lib/cni)
     */
    public Podman(Path dir, List<Path> pluginDirs) throws IOException {
        this.dir = dir;
        // podman refuses a runroot longer than 50 characters: a short one of its own in /tmp
        this.runRoot = Files.createTempDirectory("psr");
        this.confDir = dir.resolve("net.d");
        Files.createDirectories(confDir);
        Files.createDirectories(dir.resolve("tmp"));
        List<String> quoted = new ArrayList<>();
        for (Path p : pluginDirs) {
            quoted.add("\"" + p + "\"");
        }
        Path conf = Files.writeString(dir.resolve("containers.conf"), """
                [containers]
                default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
                [network]
                network_backend = "cni"
                cni_plugin_dirs = [%s]
                network_config_dir = "%s"
                [engine]
                runtime = "runc"
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                events_logfile_path = "%s"
                tmp_dir = "%s"
                """.formatted(String.join(", ", quoted), confDir, dir.resolve("events.log"), dir.resolve("tmp")));
        this.env = Map.of("CONTAINERS_CONF", conf.toString());
    }

    /** Where podman reads network configs: write conflists here. */
    public Path confDir() {
        return confDir;
    }

    public Path dir() {
        return dir;
    }

    /** Writes a network config list; podman reads the directory at every command. */
    public void addNetwork(String fileName, String conflist) throws IOException {
        Files.writeString(confDir.resolve(fileName), conflist);
    }

    /** {@code podman ARGS} on this instance's config and storage; the outcome whatever the exit code. */
    public Exec.Result podman(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("podman", "--root", dir.resolve("root").toString(), "--runroot",
                runRoot.toString(), "--storage-driver", "vfs"));
        argv.addAll(List.of(args));
        return Exec.exec(argv, env, TIMEOUT);
    }

    /** {@code podman ARGS}, stdout stripped; a non-zero exit is an {@link IOException} with both outputs. */
    public String ok(String... args) throws IOException {
        Exec.Result r = podman(args);
        if (r.exitCode() != 0) {
            throw new IOException("podman " + String.join(" ", args) + " exited " + r.exitCode() + ": "
                    + r.stderr().strip() + " " + r.stdout().strip());
        }
        return r.stdout().strip();
    }

    /** {@code podman run -d ARGS}: the container's id. */
    public String runDetached(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("run", "-d"));
        argv.addAll(List.of(args));
        String id = ok(argv.toArray(String[]::new));
        containers.add(id);
        return id;
    }

    /** A Go template over {@code podman inspect CONTAINER}. */
    public String inspect(String container, String template) throws IOException {
        return ok("inspect", "--format", template, container);
    }

    /** The address podman reports for {@code container} on {@code network} (IPv4, or IPv6 with {@code ipv6}). */
    public String address(String container, String network, boolean ipv6) throws IOException {
        return inspect(container, "{{(index .NetworkSettings.Networks \"" + network + "\")."
                + (ipv6 ? "GlobalIPv6Address" : "IPAddress") + "}}");
    }

    /** Imports the busybox image (no registry here). */
    public void importBusybox() throws IOException {
        Path rootfs = BusyboxRootfs.create(dir.resolve("rootfs"));
        Path tar = dir.resolve("rootfs.tar");
        Exec.run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), "."), Duration.ofSeconds(60));
        ok("import", tar.toString(), IMAGE);
    }

    /** Remembers a container id for {@link #close}'s cache cleanup (e.g. one run with {@code --rm}). */
    public void remember(String id) {
        containers.add(id);
    }

    /** Removes every container (podman runs DEL through the networks' plugins), then the temp dir. */
    @Override
    public void close() {
        try {
            podman("rm", "--all", "--force", "--time", "0");
        } catch (IOException e) {
            // the directory goes anyway
        }
        for (String id : containers) {
            try (var stale = Files.list(CNI_RESULT_CACHE)) {
                stale.filter(f -> f.getFileName().toString().contains(id)).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // no cache dir: nothing left
            }
        }
        TempDirs.remove(runRoot);
        TempDirs.remove(dir);
    }
}
