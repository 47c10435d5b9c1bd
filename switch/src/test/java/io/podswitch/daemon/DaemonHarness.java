package io.podswitch.daemon;

import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.cni.install.PluginJvm;
import io.podswitch.config.ConfigLoader;
import io.podswitch.nativeio.NetnsFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A podswitchd for one test: a temp config (single node; IPv4, IPv6 or dual-stack pod CIDRs in
 * 10.250.X.0/24 and fd00:250:0:X::/64 with a random X, so runs never collide with each other or the
 * machine), socket and state in a temp dir, a unique host TAP name, named pod namespaces, and the
 * CNI plugin executed as a runtime executes it. {@link #close} removes everything, also on failure.
 */
final class DaemonHarness implements AutoCloseable {
    /** The JVM flags of bin/podswitchd and bin/podswitch-cni that matter here. */
    static final List<String> JVM_FLAGS = List.of("-XX:InlineSmallCode=10000", "--enable-native-access=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED");
    static final List<String> PLUGIN_FLAGS = PluginJvm.flags();
    static final String NETWORK = "podnet";
    /** Class path of the plugin JVM: the test class path, or (benchmarks, AOT cache) the plugin jar. */
    static final String PLUGIN_CLASS_PATH = System.getProperty("podswitch.cni.classpath",
            System.getProperty("java.class.path"));

    final String suffix = NetnsFixture.suffix();
    final int octet = ThreadLocalRandom.current().nextInt(1, 255);
    final boolean ip4;
    final boolean ip6;
    final String families;
    final Path dir;
    final String hostPort = "psw" + suffix;
    private final List<String> namespaces = new ArrayList<>();
    /** {@code --max-pods} of the daemon (benchmarks wire more pods than the tests). */
    int maxPods = 128;
    /** {@code --workers} of the daemon. */
    int workers = 1;
    /** {@code --metrics-address}: a free loopback port by default (several daemons may run at once). */
    String metricsAddress = "127.0.0.1:0";
    private Daemon daemon;
    private Process child;
    /** The machine's forwarding settings before this daemon changed them (restored by close). */
    private final ForwardingSnapshot forwarding = new ForwardingSnapshot();

    /** @param families "IPv4", "IPv6" or "IPv4,IPv6" (primary first) */
    DaemonHarness(String families) throws IOException {
        this.ip4 = families.contains("IPv4");
        this.ip6 = families.contains("IPv6");
        this.families = families;
        this.dir = Files.createTempDirectory("podswitchd-test-");
        Files.writeString(dir.resolve("cluster.yaml"), config(families));
    }

    private String config(String families) {
        List<String> pod = new ArrayList<>();
        List<String> svc = new ArrayList<>();
        List<String> nodeNets = new ArrayList<>();
        List<String> addrs = new ArrayList<>();
        List<String> nodePod = new ArrayList<>();
        for (String f : families.split(",")) {
            if (f.equals("IPv4")) {
                pod.add("10.250.0.0/16");
                svc.add("10.96.0.0/16");
                nodeNets.add("192.168.250.0/24");
                addrs.add("192.168.250.11");
                nodePod.add("10.250." + octet + ".0/24");
            } else {
                pod.add("\"fd00:250::/48\"");
                svc.add("\"fd00:96::/112\"");
                nodeNets.add("\"fd00:192:250::/64\"");
                addrs.add("\"fd00:192:250::11\"");
                nodePod.add("\"fd00:250:0:" + Integer.toHexString(octet) + "::/64\"");
            }
        }
        return "ipFamilies: [" + families.replace(",", ", ") + "]\n"
                + "podCIDRs: [" + String.join(", ", pod) + "]\n"
                + "serviceCIDRs: [" + String.join(", ", svc) + "]\n"
                + "nodeCIDRs: [" + String.join(", ", nodeNets) + "]\n"
                + "node: n1\n"
                + "overlay: {mode: direct, podMTU: 1400}\n"
                // the machine's own namespace: no nf_tables table of ours is left there by a test
                + "masquerade: false\n"
                + "nodes:\n"
                + "  - name: n1\n"
                + "    addresses: [" + String.join(", ", addrs) + "]\n"
                + "    podCIDRs: [" + String.join(", ", nodePod) + "]\n"
                + "    uplink: {interface: lo, mtu: 1500}\n";
    }

    /**
     * Rewrites cluster.yaml as the constructor wrote it plus {@code servicesYaml} (a {@code services:}
     * block); the daemon sees it at its next start.
     */
    void writeServices(String servicesYaml) throws IOException {
        Files.writeString(dir.resolve("cluster.yaml"), config(families) + servicesYaml);
    }

    String gateway4() {
        return "10.250." + octet + ".1";
    }

    String gateway6() {
        return "fd00:250:0:" + Integer.toHexString(octet) + "::1";
    }

    Path socket() {
        return dir.resolve("run").resolve("podswitchd.sock");
    }

    List<String> daemonArgs() {
        return List.of("--config", dir.resolve("cluster.yaml").toString(), "--state-dir", dir.resolve("state").toString(),
                "--run-dir", dir.resolve("run").toString(), "--host-port", hostPort, "--max-pods", Integer.toString(maxPods), "--workers", Integer.toString(workers),
                "--metrics-address", metricsAddress);
    }

    /** Starts podswitchd in this JVM. */
    Daemon start() throws Exception {
        DaemonOptions options = DaemonOptions.parse(daemonArgs().toArray(String[]::new), Map.of());
        daemon = Daemon.start(options, ConfigLoader.load(options.config(), Map.of()));
        return daemon;
    }

    /** Stops the in-process daemon (as SIGTERM would). */
    void stop() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    /** Starts podswitchd as a child JVM (launcher flags) and waits until it answers. */
    void startChild() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Podswitchd.class.getName()));
        cmd.addAll(daemonArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile()));
        child = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new IllegalStateException("podswitchd exited " + child.exitValue() + ": " + log());
            }
            try {
                if (get("/v1/pods").status() == 200) {
                    return;
                }
            } catch (HttpClientException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("podswitchd did not answer in 30 s: " + log());
    }

    /** SIGKILL: no shutdown hook, no cleanup — as a crash or an OOM kill. */
    void kill9Child() throws InterruptedException {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
    }

    String log() {
        try {
            return Files.readString(dir.resolve("daemon.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Creates a pod namespace with loopback up; returns its name. */
    String netns(String name) {
        String ns = "psd" + suffix + name;
        NetnsFixture.run("ip", "netns", "add", ns);
        namespaces.add(ns);
        NetnsFixture.run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    static String netnsPath(String ns) {
        return "/var/run/netns/" + ns;
    }

    record Cni(int exit, String stdout, String stderr) {
        ObjectReader json() {
            return ObjectReader.of(JsonParser.parse(stdout), "");
        }

        int code() {
            return (int) json().optionalLong("code", 0, Integer.MAX_VALUE, -1);
        }

        @Override
        public String toString() {
            return "exit " + exit + ", stdout " + stdout + ", stderr " + stderr;
        }
    }

    /** The netconf the runtime hands the plugin, with extra members appended (e.g. prevResult). */
    String netconf(String extra) {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NETWORK + "\",\"type\":\"podswitch-cni\",\"socket\":\""
                + socket() + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    /** Runs the plugin for an attachment (ifName eth0) with the given netconf on stdin. */
    Cni cni(String command, String containerId, String ns, String stdin) throws Exception {
        return cni(command, containerId, ns, stdin, null);
    }

    /** As {@link #cni(String, String, String, String)}, with CNI_ARGS (e.g. {@code K8S_POD_NAMESPACE=a;K8S_POD_NAME=b}). */
    Cni cni(String command, String containerId, String ns, String stdin, String cniArgs) throws Exception {
        Map<String, String> env = new HashMap<>();
        if (cniArgs != null) {
            env.put("CNI_ARGS", cniArgs);
        }
        env.put("CNI_COMMAND", command);
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
            env.put("CNI_IFNAME", "eth0");
        }
        if (ns != null) {
            env.put("CNI_NETNS", ns.startsWith("/") ? ns : netnsPath(ns));
        }
        env.put("CNI_PATH", "/opt/cni/bin");
        return plugin(env, stdin);
    }

    static Cni plugin(Map<String, String> env, String stdin) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(PLUGIN_FLAGS);
        cmd.addAll(List.of("-cp", PLUGIN_CLASS_PATH, "io.podswitch.cni.PodswitchCni"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("plugin did not exit");
        }
        return new Cni(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    HttpResponse get(String path) throws HttpClientException {
        return new UnixHttpClient(socket(), TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                .exchange(new HttpRequest("GET", path, Map.of(), null), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    HttpResponse post(String path, String json) throws HttpClientException {
        return new UnixHttpClient(socket(), TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                .exchange(HttpRequest.postJson(path, json), System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
    }

    ObjectReader getJson(String path) throws HttpClientException {
        HttpResponse r = get(path);
        if (r.status() != 200) {
            throw new IllegalStateException(path + " answered " + r.status() + ": " + r.bodyText());
        }
        return ObjectReader.of(JsonParser.parse(r.bodyText()), "");
    }

    /** Sum of every counter whose name contains {@code part}. */
    long counterSum(String part) throws HttpClientException {
        long sum = 0;
        ObjectReader counters = getJson("/v1/counters").optionalObject("counters");
        for (String name : counters.object().members().keySet()) {
            if (name.contains(part)) {
                sum += counters.optionalLong(name, Long.MIN_VALUE, Long.MAX_VALUE, 0);
            }
        }
        return sum;
    }

    /** One ping (up to three tries: the first may wait for ARP/ND) from {@code ns} (null: the root netns). */
    static boolean ping(String ns, String target, String... extra) {
        List<String> cmd = new ArrayList<>();
        if (ns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", ns));
        }
        cmd.addAll(List.of("ping", "-c", "1", "-W", "2"));
        cmd.addAll(List.of(extra));
        cmd.add(target);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                NetnsFixture.run(cmd.toArray(String[]::new));
                return true;
            } catch (IllegalStateException e) {
                // retry
            }
        }
        return false;
    }

    /** Links of a namespace, e.g. to prove no TAP was left behind. */
    static String links(String ns) {
        return NetnsFixture.run("ip", "-n", ns, "-o", "link", "show");
    }

    /**
     * Waits until the pod's {@code eth0} has left {@code ns}, failing with {@code what} and the links
     * after {@code within}. DEL answers before the kernel removes the pod's TAP (docs/daemon.md, DEL
     * step 10: a closer thread, one close after another), so "no TAP left behind" is a matter of
     * moments after the answer — longer after many DELs at once.
     */
    static void assertEth0Gone(String ns, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (links(ns).contains("eth0")) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": " + links(ns));
            }
            Thread.sleep(20);
        }
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
        if (child != null && child.isAlive()) {
            child.destroy();
            try {
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                child.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : namespaces) {
            NetnsFixture.quietly("ip", "netns", "del", ns);
        }
        NetnsFixture.quietly("ip", "link", "del", hostPort);
        forwarding.restore();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            e.printStackTrace();
        }
    }
}
