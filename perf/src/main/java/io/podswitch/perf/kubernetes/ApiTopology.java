package io.podswitch.perf.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podswitch.nativeio.Netns;
import io.podswitch.perf.topo.Exec;
import io.podswitch.testapi.ApiForwarder;
import io.podswitch.testapi.TestApiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A node namespace for one podswitchd with {@code source: kubernetes} and the test API server it watches,
 * for the kubernetes scenarios:
 *
 * <pre>
 *   pkb-u: ul0 10.200.0.1/24 ── veth ── pkb-n: eth0 10.200.0.2/24, 10.200.0.0/16 via 10.200.0.1
 *          API forwarder :6443 → this JVM's test API server          podswitchd (uplink eth0)
 * </pre>
 * The other nodes' InternalIPs (10.200.1.0 and up) are behind the gateway: one next hop for all. The
 * kubeconfig and the daemons' directories live under {@link #dir}; {@link #close} removes all of it.
 */
public final class ApiTopology implements AutoCloseable {
    private final String node;
    private final String underlay;
    private final Path dir;
    private TestApiServer api;
    private ApiForwarder forwarder;
    private KubernetesClient client;

    private ApiTopology() throws IOException {
        String id = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        this.node = "pkb" + id + "-n";
        this.underlay = "pkb" + id + "-u";
        this.dir = Files.createTempDirectory("podswitch-bench-kubernetes-");
    }

    public static ApiTopology start() throws Exception {
        ApiTopology t = new ApiTopology();
        try {
            for (String ns : List.of(t.underlay, t.node)) {
                Exec.run(List.of("ip", "netns", "add", ns));
                Exec.run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
            }
            Exec.run(List.of("ip", "-n", t.underlay, "link", "add", "ul0", "type", "veth", "peer", "name", "eth0",
                    "netns", t.node));
            Exec.run(List.of("ip", "-n", t.underlay, "addr", "add", ScaleCluster.GATEWAY + "/24", "dev", "ul0"));
            Exec.run(List.of("ip", "-n", t.underlay, "link", "set", "ul0", "up"));
            Exec.run(List.of("ip", "-n", t.node, "addr", "add", ScaleCluster.SELF_ADDRESS + "/24", "dev", "eth0"));
            Exec.run(List.of("ip", "-n", t.node, "link", "set", "eth0", "up"));
            Exec.run(List.of("ip", "-n", t.node, "route", "add", "10.200.0.0/16", "via", ScaleCluster.GATEWAY));
            t.api = TestApiServer.startLocal();
            InetSocketAddress listen = new InetSocketAddress(InetAddress.getByName(ScaleCluster.GATEWAY), 6443);
            String underlay = t.underlay;
            t.forwarder = new ApiForwarder(() -> Netns.call(underlay, () -> ApiForwarder.bind(listen).call()),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), t.api.port())).start();
            t.client = t.api.client();
            TestApiServer.writeKubeconfig(t.kubeconfig(), "http://" + ScaleCluster.GATEWAY + ":6443");
            return t;
        } catch (Exception | Error e) {
            t.close();
            throw e;
        }
    }

    /** The node namespace podswitchd runs in. */
    public String node() {
        return node;
    }

    public Path dir() {
        return dir;
    }

    public Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    public TestApiServer api() {
        return api;
    }

    public KubernetesClient client() {
        return client;
    }

    /**
     * Never throws: a stuck API server (the mock's event loop busy for many seconds on a huge object) must not
     * keep the namespaces and files, nor turn the figures already measured into a failure.
     */
    @Override
    public void close() {
        quietly("API client", client);
        quietly("API forwarder", forwarder);
        quietly("test API server", api);
        for (String ns : List.of(node, underlay)) {
            try {
                Exec.run(List.of("ip", "netns", "del", ns));
            } catch (IOException e) {
                // not made, or already gone
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static void quietly(String what, AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("bench: could not close the " + what + ": " + e);
        }
    }
}
