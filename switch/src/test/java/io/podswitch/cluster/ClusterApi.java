package io.podswitch.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podswitch.testapi.ApiForwarder;
import io.podswitch.nativeio.Netns;
import io.podswitch.testapi.TestApiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's API server, where the node namespaces reach it: the test API server runs in this JVM (root
 * namespace, loopback), and a forwarder listens on the underlay bridge at {@link #ADDRESS}:{@link #PORT} —
 * its socket made inside the underlay namespace, so it stays there. Every podswitchd's kubeconfig points at
 * it. {@link #stop} makes the API server unreachable for the daemons (the forwarder and every connection
 * through it closed) while it lives on for the test's own client; {@link #start} brings it back.
 */
final class ClusterApi implements AutoCloseable {
    static final String ADDRESS = "192.168.77.250";
    static final int PORT = 6443;

    private final TestApiServer server;
    private final ApiForwarder forwarder;
    private final KubernetesClient admin;
    final Path kubeconfig;

    private ClusterApi(TestApiServer server, ApiForwarder forwarder, Path kubeconfig) {
        this.server = server;
        this.forwarder = forwarder;
        this.admin = server.client();
        this.kubeconfig = kubeconfig;
    }

    /** Starts the server and its forwarder on the underlay ({@code underlayNetns} holds the bridge). */
    static ClusterApi start(String underlayNetns, Path dir) throws Exception {
        Sh.run("ip", "-n", underlayNetns, "addr", "add", ADDRESS + "/24", "dev", ClusterHarness.BRIDGE);
        TestApiServer server = TestApiServer.startLocal();
        try {
            InetSocketAddress listen = new InetSocketAddress(InetAddress.getByName(ADDRESS), PORT);
            ApiForwarder forwarder = new ApiForwarder(() -> Netns.call(underlayNetns, () -> ApiForwarder.bind(listen).call()),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port())).start();
            Path kubeconfig = TestApiServer.writeKubeconfig(dir.resolve("kubeconfig"), "http://" + ADDRESS + ":" + PORT);
            return new ClusterApi(server, forwarder, kubeconfig);
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    /** The test's client: straight to the server, whatever the forwarder does. */
    KubernetesClient client() {
        return admin;
    }

    TestApiServer server() {
        return server;
    }

    /** Node i of the layout as kubelet and kube-controller-manager would have filled it in. */
    static Node node(ClusterLayout layout, int i) {
        List<String> podCidrs = new ArrayList<>();
        List<NodeAddress> addresses = new ArrayList<>();
        for (String f : layout.families()) {
            podCidrs.add(f.equals("IPv4") ? ClusterLayout.podCidr4(i) : ClusterLayout.podCidr6(i));
            addresses.add(new NodeAddress(f.equals("IPv4") ? ClusterLayout.node4(i) : ClusterLayout.node6(i), "InternalIP"));
        }
        addresses.add(new NodeAddress(layout.nodeName(i), "Hostname"));
        return new NodeBuilder().withNewMetadata().withName(layout.nodeName(i)).endMetadata()
                .withNewSpec().withPodCIDR(podCidrs.getFirst()).withPodCIDRs(podCidrs).endSpec()
                .withNewStatus().withAddresses(addresses).endStatus().build();
    }

    /** The API server becomes unreachable for every podswitchd. */
    void stop() {
        forwarder.stop();
    }

    /** …and reachable again, at the same address. */
    void start() throws Exception {
        forwarder.start();
    }

    @Override
    public void close() throws IOException {
        forwarder.close();
        admin.close();
        server.close();
    }
}
