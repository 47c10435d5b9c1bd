package io.podswitch.perf.runtime;

import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A containerd of its own (Debian's 1.6.20): config, root, state and sockets in a temp dir; the CRI
 * plugin and the plugins that would touch /opt or need file systems we do not have are disabled.
 * {@code ctr run --cni} takes the CNI config and plugins from the fixed /etc/cni/net.d and
 * /opt/cni/bin (go-cni's defaults; ctr has no flag for them), so {@link #runWithCni} runs ctr in a
 * private mount namespace where /opt is a tmpfs and those two paths are bind mounts of the caller's
 * directories — the machine's own CNI setup is neither seen nor changed.
 */
public final class Containerd implements AutoCloseable {
    public static final String NAMESPACE = "podswitch";
    public static final String INSTALL_HINT = "apt-get install -y containerd runc";
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final Path socket;
    private final Process containerd;

    /** Starts containerd on {@code dir} (a fresh directory this instance owns) and waits for its socket. */
    public Containerd(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        this.socket = dir.resolve("containerd.sock");
        Path config = Files.writeString(dir.resolve("config.toml"), """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
                  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
                  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
                [grpc]
                  address = "%1$s/containerd.sock"
                [ttrpc]
                  address = "%1$s/containerd.sock.ttrpc"
                [debug]
                  address = "%1$s/debug.sock"
                """.formatted(dir));
        containerd = new ProcessBuilder("containerd", "--config", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("containerd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket)) {
            if (!containerd.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(dir.resolve("containerd.log"));
                close();
                throw new IOException("containerd did not start: " + log);
            }
            Thread.sleep(50);
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * {@code ctr run --rm --cni --rootfs ROOTFS ID ARGS}, with /opt/cni/bin = {@code binDir} and
     * /etc/cni/net.d = {@code confDir} as ctr sees them. The outcome whatever the exit code.
     */
    public Exec.Result runWithCni(Path binDir, Path confDir, Path rootfs, String id, String... args) throws IOException {
        Files.createDirectories(Path.of("/etc/cni/net.d")); // the bind target: the standard, normally existing, dir
        String script = "mount -t tmpfs podswitch /opt && mkdir -p /opt/cni/bin && mount --bind \"$1\" /opt/cni/bin"
                + " && mount --bind \"$2\" /etc/cni/net.d && shift 2 && exec \"$@\"";
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                "sh", binDir.toString(), confDir.toString(), "ctr", "--address", socket.toString(), "--namespace",
                NAMESPACE, "run", "--rm", "--cni", "--env", "PATH=/bin", "--rootfs", rootfs.toString(), id));
        argv.addAll(List.of(args));
        return Exec.exec(argv, TIMEOUT);
    }

    /** Kills and deletes what is left in the namespace, stops containerd, deletes the temp dir. */
    @Override
    public void close() {
        String ctr = "ctr --address '" + socket + "' --namespace " + NAMESPACE;
        try {
            Exec.exec(List.of("sh", "-c", "for t in $(" + ctr + " task ls -q); do " + ctr + " task kill -s KILL $t; "
                    + ctr + " task delete -f $t; done; for c in $(" + ctr + " container ls -q); do " + ctr
                    + " container delete $c; done"), TIMEOUT);
        } catch (IOException e) {
            // containerd goes anyway
        }
        containerd.destroy();
        try {
            if (!containerd.waitFor(10, TimeUnit.SECONDS)) {
                containerd.destroyForcibly();
            }
        } catch (InterruptedException e) {
            containerd.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        TempDirs.remove(dir);
    }
}
