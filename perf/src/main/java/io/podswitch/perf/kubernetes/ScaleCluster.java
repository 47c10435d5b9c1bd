package io.podswitch.perf.kubernetes;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * A cluster at Kubernetes' scalability thresholds, as API objects: {@code nodes} Node objects (InternalIP in
 * 10.200.0.0/16 behind one gateway, a /24 pod CIDR each from 10.128.0.0/10), {@code services} ClusterIP
 * Services (10.96.0.0/12, one TCP port) each with one EndpointSlice of {@code endpointsPerService} ready
 * endpoints on random nodes — and the node podswitchd runs on ({@link #SELF}, 10.200.0.2, 10.128.0.0/24).
 * IPv4, VXLAN. The same seed gives the same cluster.
 *
 * <pre>
 *   node i (1..N)      InternalIP 10.200.(1 + (i-1)/250).(2 + (i-1)%250)   pod CIDR 10.(128 + i/256).(i%256).0/24
 *   service s (0..S-1) ClusterIP 10.(96 + s/65536).((s/256)%256).(s%256)   slice "svc-s-1": port 8080
 * </pre>
 */
public final class ScaleCluster {
    public static final String SELF = "bench-node";
    public static final String SELF_ADDRESS = "10.200.0.2";
    public static final String GATEWAY = "10.200.0.1";
    public static final String NAMESPACE = "bench";
    public static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    private final int nodes;
    private final int services;
    private final int endpointsPerService;
    private final SplittableRandom random;
    /** Each service's endpoints as created and scaled: (address, node name). */
    private final List<List<String[]>> endpoints = new ArrayList<>();

    public ScaleCluster(int nodes, int services, int endpointsPerService, long seed) {
        this.nodes = nodes;
        this.services = services;
        this.endpointsPerService = endpointsPerService;
        this.random = new SplittableRandom(seed);
        for (int s = 0; s < services; s++) {
            List<String[]> list = new ArrayList<>();
            for (int e = 0; e < endpointsPerService; e++) {
                list.add(randomEndpoint());
            }
            endpoints.add(list);
        }
    }

    public int nodes() {
        return nodes;
    }

    public int services() {
        return services;
    }

    public int endpoints() {
        return services * endpointsPerService;
    }

    /** podswitchd's cluster.yaml: nothing but CIDRs, the overlay and the uplink. */
    public static String configYaml(String kubeconfig) {
        return "source: kubernetes\n"
                + "kubernetes: {kubeconfig: " + kubeconfig + "}\n"
                + "ipFamilies: [IPv4]\n"
                + "podCIDRs: [10.128.0.0/10]\n"
                + "serviceCIDRs: [10.96.0.0/12]\n"
                + "nodeCIDRs: [10.200.0.0/16]\n"
                + "overlay: {mode: vxlan}\n"
                + "uplink: {interface: eth0, mtu: 1500, attach: af_xdp}\n"; // as measured before auto became the default
    }

    static Node node(String name, String address, String podCidr) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(address).endAddress().endStatus()
                .build();
    }

    static String nodeName(int i) {
        return "node-" + i;
    }

    static String nodeAddress(int i) {
        return "10.200." + (1 + (i - 1) / 250) + "." + (2 + (i - 1) % 250);
    }

    static String podCidr(int i) {
        return "10." + (128 + i / 256) + "." + (i % 256) + ".0/24";
    }

    static String clusterIp(int s) {
        return "10." + (96 + s / 65536) + "." + ((s / 256) % 256) + "." + (s % 256);
    }

    static Service service(int s) {
        return new ServiceBuilder().withNewMetadata().withNamespace(NAMESPACE).withName("svc-" + s).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp(s)).withClusterIPs(clusterIp(s))
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).withTargetPort(new IntOrString(8080))
                .endPort().endSpec().build();
    }

    /** A random pod address on a random node: (address, node name). */
    private String[] randomEndpoint() {
        int node = 1 + random.nextInt(nodes);
        String cidr = podCidr(node);
        String prefix = cidr.substring(0, cidr.lastIndexOf(".0/24"));
        return new String[] {prefix + "." + (2 + random.nextInt(250)), nodeName(node)};
    }

    /** Service s's slice with its endpoints; stamped with a change trigger time when given. */
    synchronized EndpointSlice slice(int s, Instant trigger) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(NAMESPACE)
                .withName("svc-" + s + "-1").addToLabels("kubernetes.io/service-name", "svc-" + s)
                .withAnnotations(trigger == null ? Map.of() : Map.of(TRIGGER_TIME, trigger.toString())).endMetadata()
                .withAddressType("IPv4").addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
        for (String[] ep : endpoints.get(s)) {
            b.addNewEndpoint().withAddresses(ep[0]).withNodeName(ep[1]).withNewConditions().withReady(true)
                    .endConditions().endEndpoint();
        }
        return b.build();
    }

    /** Creates the Node object of the node podswitchd runs on ({@link #SELF}, pod CIDR 10.128.0.0/24). */
    public static void createSelf(KubernetesClient client) {
        client.nodes().resource(node(SELF, SELF_ADDRESS, "10.128.0.0/24")).create();
    }

    /** Creates every object on the API server ({@code threads} at a time); returns how long it took. */
    public long create(KubernetesClient client, int threads) throws Exception {
        long t0 = System.nanoTime();
        createSelf(client);
        parallel(threads, nodes, i -> () -> client.nodes().resource(node(nodeName(i + 1), nodeAddress(i + 1), podCidr(i + 1))).create());
        parallel(threads, services, s -> () -> client.services().resource(service(s)).create());
        parallel(threads, services, s -> () -> client.discovery().v1().endpointSlices()
                .resource(slice(s, null)).create());
        return System.nanoTime() - t0;
    }

    /**
     * One change as the EndpointSlice controller makes it when a pod of service {@code s} became ready: its
     * slice with one endpoint more, stamped with the trigger time {@code now}.
     */
    public synchronized EndpointSlice scaledUp(int s, Instant now) {
        endpoints.get(s).add(randomEndpoint());
        return slice(s, now);
    }

    /** The endpoint a {@link #scaledUp} slice added to service {@code s}. */
    public synchronized String newestEndpoint(int s) {
        return endpoints.get(s).getLast()[0];
    }

    public int randomService() {
        synchronized (this) {
            return random.nextInt(services);
        }
    }

    private static void parallel(int threads, int count, IntFunction<Runnable> task) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                done.add(pool.submit(task.apply(i)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }
}
