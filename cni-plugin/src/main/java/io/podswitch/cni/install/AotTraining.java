package io.podswitch.cni.install;

import io.podswitch.cni.PodswitchCni;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run of the plugin's AOT cache (JDK 25, JEP 483/514/515): runs in the plugin's JVM,
 * with the plugin's flags and class path, every command a runtime sends — ADD, CHECK, DEL in each
 * result format, STATUS, GC, VERSION — and the error paths (daemon error, unknown attachment, daemon
 * unreachable, malformed input), against a {@link TrainingDaemon}. Whatever it loads, links and
 * profiles is what the cache holds, so a real ADD starts with its classes already there.
 *
 * <p>Not part of any CNI call: install-cni runs it as {@code java … -XX:AOTCacheOutput=… -cp
 * podswitch-cni.jar io.podswitch.cni.install.AotTraining}.
 */
public final class AotTraining {
    /** Enough rounds for the method profiles of the short paths; each round is a few milliseconds. */
    static final int ROUNDS = 5;
    static final List<String> VERSIONS = List.of("1.0.0", "1.1.0", "0.4.0", "0.3.1");

    private final Path socket;
    private final Path netns;
    private final Path debugLog;
    private int failures;

    private AotTraining(Path socket, Path netns, Path debugLog) {
        this.socket = socket;
        this.netns = netns;
        this.debugLog = debugLog;
    }

    public static void main(String[] args) throws IOException {
        System.getenv(); // the plugin's main reads its environment: ProcessEnvironment and friends belong in the cache
        Path dir = Files.createTempDirectory("podswitch-cni-training-");
        try {
            Path netns = Files.createFile(dir.resolve("netns"));
            try (TrainingDaemon daemon = TrainingDaemon.start(dir.resolve("podswitchd.sock"))) {
                AotTraining training = new AotTraining(daemon.socket(), netns, dir.resolve("debug.log"));
                for (int round = 0; round < ROUNDS; round++) {
                    training.round(round);
                }
                if (training.failures > 0) {
                    System.err.println("podswitch-cni training: " + training.failures + " unexpected result(s)");
                    System.exit(1);
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void round(int round) {
        for (String version : VERSIONS) {
            String id = "training" + round + "v" + version.replace(".", "");
            String conf = config(version, socket, round == 0 ? ",\"debugLogFile\":\"" + debugLog + "\"" : "");
            String result = expect(0, "ADD", id, netns, conf);
            if (!version.startsWith("0.3")) {
                expect(0, "CHECK", id, netns, conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + result + "}");
            }
            expect(0, "DEL", id, netns, conf);
        }
        String latest = config("1.1.0", socket, "");
        expect(0, "VERSION", null, null, latest);
        expect(0, "STATUS", null, null, latest);
        expect(0, "GC", null, null, latest.substring(0, latest.length() - 1)
                + ",\"cni.dev/valid-attachments\":[{\"containerID\":\"c1\",\"ifname\":\"eth0\"}]}");
        expect(1, "ADD", "fail-" + round, netns, latest);
        expect(0, "DEL", "gone-" + round, netns, latest);
        expect(1, "ADD", "nodaemon" + round, netns, config("1.0.0", socket.resolveSibling("absent.sock"), ""));
        expect(1, "ADD", "garbled" + round, netns, "{\"cniVersion\":\"1.0.0\",");
    }

    /** A netconf as a runtime derives it from the shipped conflist (portmap's runtimeConfig included). */
    private static String config(String version, Path socket, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"podswitch\",\"type\":\"podswitch-cni\",\"socket\":\""
                + socket + "\",\"timeoutSeconds\":10,\"capabilities\":{\"mac\":true,\"ips\":true},"
                + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}"
                + extra + "}";
    }

    /** Runs one command in this JVM; counts a wrong exit code (the cache would miss a path). */
    private String expect(int exit, String command, String containerId, Path ns, String stdin) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_PATH", "/opt/cni/bin");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=training");
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
            env.put("CNI_IFNAME", "eth0");
        }
        if (ns != null) {
            env.put("CNI_NETNS", ns.toString());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PodswitchCni.run(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        if (code != exit) {
            failures++;
            System.err.println("podswitch-cni training: " + command + " " + containerId + " exited " + code + ", expected "
                    + exit + ": " + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }
}
