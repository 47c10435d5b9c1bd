package io.podswitch.daemon;

import io.podswitch.nativeio.NetnsFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: measures CNI ADD latency (fork to exit of the plugin, as a runtime sees it) for N pods,
 * podswitch (plugin JVM + podswitchd wiring the TAP) with and without the AOT cache, the daemon's own
 * share (the same ADD as a direct API call, no plugin JVM), next to the stock
 * {@code bridge} + {@code host-local} plugins (Debian containernetworking-plugins, /usr/lib/cni) on the
 * same machine. The cases are interleaved pod by pod so that machine load hits all of them alike.
 * Every pod gets its own fresh netns per case; everything is deleted at the end.
 *
 * <pre>
 * mvn -o -q -pl switch -am package -DskipTests   # classes and switch/target/lib
 * java --enable-native-access=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED \
 *      --add-opens java.base/java.nio=ALL-UNNAMED -Dpodswitch.cni.classpath=cni-plugin/target/podswitch-cni-0.1.0-SNAPSHOT.jar \
 *      -cp "switch/target/test-classes:switch/target/classes:config/target/classes:cni-plugin/target/classes:switch/target/lib/*" \
 *      io.podswitch.daemon.CniAddBenchmark 100
 * </pre>
 */
public final class CniAddBenchmark {
    private CniAddBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        try (DaemonHarness h = new DaemonHarness("IPv4")) {
            h.maxPods = 3 * pods + 8;
            Runtime.getRuntime().addShutdownHook(new Thread(h::close)); // Ctrl-C still cleans up
            h.start();
            String bridge = "pswbr" + h.suffix;
            Path hostLocalDir = h.dir.resolve("host-local");
            String bridgeConf = "{\"cniVersion\":\"1.0.0\",\"name\":\"bench" + h.suffix + "\",\"type\":\"bridge\",\"bridge\":\""
                    + bridge + "\",\"isGateway\":true,\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.249."
                    + h.octet + ".0/24\"}]],\"dataDir\":\"" + hostLocalDir + "\"}}";
            Path aot = h.dir.resolve("podswitch-cni.aot");
            train(h, aot);
            long[] plain = new long[pods];
            long[] cached = new long[pods];
            long[] stock = new long[pods];
            long[] direct = new long[pods];
            List<String> namespaces = new ArrayList<>();
            try {
                for (int i = 0; i < pods; i++) {
                    String n1 = h.netns("p" + i);
                    String n2 = h.netns("q" + i);
                    String n3 = h.netns("r" + i);
                    String n4 = h.netns("s" + i);
                    namespaces.add(n3);
                    int pod = i;
                    plain[i] = timed(() -> h.cni("ADD", "bench-p" + pod, n1, h.netconf("")));
                    cached[i] = timed(() -> pluginWithAot(h, aot, "bench-q" + pod, n2));
                    stock[i] = timed(() -> stockBridge("ADD", "bench-r" + pod, n3, bridgeConf));
                    direct[i] = timed(() -> daemonOnly(h, "bench-s" + pod, n4));
                }
            } finally {
                for (int i = 0; i < namespaces.size(); i++) {
                    stockBridge("DEL", "bench-r" + i, namespaces.get(i), bridgeConf);
                }
                NetnsFixture.quietly("ip", "link", "del", bridge);
            }
            System.out.printf("ADD latency over %d pods (ms)          p50     p90     p99     max%n", pods);
            report("podswitch (plugin JVM, no AOT cache)", plain);
            report("podswitch (plugin JVM + AOT cache)   ", cached);
            report("bridge + host-local (Go)             ", stock);
            report("podswitchd alone (API call, no JVM)  ", direct);
        }
    }

    private interface Run {
        DaemonHarness.Cni run() throws Exception;
    }

    private static long timed(Run run) throws Exception {
        long start = System.nanoTime();
        DaemonHarness.Cni r = run.run();
        long ns = System.nanoTime() - start;
        if (r.exit() != 0) {
            throw new IllegalStateException("ADD failed: " + r);
        }
        return ns;
    }

    private static void report(String name, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        System.out.printf("%s  %7.1f %7.1f %7.1f %7.1f%n", name, ms(s, 0.50), ms(s, 0.90), ms(s, 0.99),
                s[s.length - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, i)] / 1e6;
    }

    /** The training run docs/cni.md describes: STATUS against the daemon writes the AOT cache. */
    private static void train(DaemonHarness h, Path aot) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(DaemonHarness.PLUGIN_FLAGS);
        cmd.addAll(List.of("-XX:AOTCacheOutput=" + aot, "-cp", DaemonHarness.PLUGIN_CLASS_PATH,
                "io.podswitch.cni.PodswitchCni"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CNI_COMMAND", "STATUS");
        Process p = pb.start();
        p.getOutputStream().write(h.netconf("").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        p.waitFor(120, TimeUnit.SECONDS);
        if (!Files.exists(aot)) {
            throw new IllegalStateException("AOT training wrote no cache");
        }
    }

    private static DaemonHarness.Cni pluginWithAot(DaemonHarness h, Path aot, String id, String ns) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(DaemonHarness.PLUGIN_FLAGS);
        cmd.addAll(List.of("-XX:AOTCache=" + aot, "-cp", DaemonHarness.PLUGIN_CLASS_PATH,
                "io.podswitch.cni.PodswitchCni"));
        return exec(cmd, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", id, "CNI_NETNS", DaemonHarness.netnsPath(ns),
                "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin"), h.netconf(""));
    }

    /** The daemon's share: the same ADD as one HTTP request on the socket, no plugin JVM. */
    private static DaemonHarness.Cni daemonOnly(DaemonHarness h, String id, String ns) throws Exception {
        String json = io.podswitch.api.json.JsonWriter.write(new io.podswitch.api.AttachmentRequest("1.1.0",
                DaemonHarness.NETWORK, id, DaemonHarness.netnsPath(ns), "eth0", 0, null, List.of(), Map.of(), null, null,
                null, null).toJson());
        io.podswitch.api.http.HttpResponse r = h.post(io.podswitch.api.CniApi.PATH_ADD, json);
        return new DaemonHarness.Cni(r.status() == 200 ? 0 : 1, r.bodyText(), "");
    }

    private static DaemonHarness.Cni stockBridge(String command, String id, String ns, String conf) throws Exception {
        return exec(List.of("/usr/lib/cni/bridge"), Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", id,
                "CNI_NETNS", DaemonHarness.netnsPath(ns), "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"), conf);
    }

    private static DaemonHarness.Cni exec(List<String> cmd, Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(new HashMap<>(env));
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        return new DaemonHarness.Cni(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }
}
