package io.podswitch.perf.servicetables;

import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.SessionAffinity;
import io.podswitch.daemon.desired.DesiredEndpoint;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.DesiredServicePort;
import io.podswitch.daemon.desired.ServiceId;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic cluster at Kubernetes' scalability thresholds, the same for every side of a run (seeded):
 * 5,000 nodes with 30 dual-stack pods each (150,000 pods: 10.n/24 and fd00:10:244:n::/64 on node n);
 * services with a dual-stack ClusterIP and two TCP ports (80 → 8080, 443 → 8443), every tenth with two
 * node ports and every twentieth with {@code externalTrafficPolicy: Local}; each with 1..maxEndpoints
 * endpoints (uniform) drawn from the pods, 95 % ready, 3 % serving and terminating, 2 % not ready. This
 * node is node-0. A change adds or removes one pod (both families, both ports) of one random service.
 */
final class ServiceCluster {
    static final int NODES = 5000;
    static final int PODS_PER_NODE = 30;
    static final int PODS = NODES * PODS_PER_NODE;
    static final String THIS_NODE = "node-0";

    /** As generated (what a build starts from). */
    private final List<DesiredService> initial;
    /** As changed so far. */
    private final List<DesiredService> services = new ArrayList<>();
    /** Each service's pods and their conditions (index into the pods, condition 0 ready / 1 draining / 2 not ready). */
    private final List<List<int[]>> members = new ArrayList<>();
    private final SplittableRandom random;
    private int endpoints;

    ServiceCluster(int count, int maxEndpoints, long seed) {
        random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            int n = 1 + random.nextInt(maxEndpoints);
            LinkedHashSet<Integer> chosen = new LinkedHashSet<>();
            while (chosen.size() < n) {
                chosen.add(random.nextInt(PODS));
            }
            List<int[]> pods = new ArrayList<>();
            for (int pod : chosen) {
                int r = random.nextInt(100);
                pods.add(new int[] {pod, r < 95 ? 0 : r < 98 ? 1 : 2});
            }
            members.add(pods);
            endpoints += n;
            services.add(service(i, pods));
        }
        initial = List.copyOf(services);
    }

    /** The services as generated (changes do not alter this list). */
    List<DesiredService> services() {
        return initial;
    }

    /** Endpoints per family and port, summed over the services (as generated). */
    int endpoints() {
        return endpoints;
    }

    /** The next change: one service with one pod more or less. */
    DesiredService change() {
        int i = random.nextInt(services.size());
        List<int[]> pods = members.get(i);
        if (pods.size() > 1 && random.nextBoolean()) {
            pods.remove(random.nextInt(pods.size()));
        } else {
            int pod;
            do {
                pod = random.nextInt(PODS);
            } while (contains(pods, pod));
            pods.add(new int[] {pod, 0});
        }
        DesiredService next = service(i, pods);
        services.set(i, next);
        return next;
    }

    private static boolean contains(List<int[]> pods, int pod) {
        for (int[] p : pods) {
            if (p[0] == pod) {
                return true;
            }
        }
        return false;
    }

    private static DesiredService service(int i, List<int[]> pods) {
        List<DesiredEndpoint> http = new ArrayList<>();
        List<DesiredEndpoint> https = new ArrayList<>();
        for (int[] p : pods) {
            for (IpAddress address : List.of(v4(p[0]), v6(p[0]))) {
                String node = "node-" + p[0] / PODS_PER_NODE;
                boolean ready = p[1] == 0;
                boolean serving = p[1] <= 1;
                boolean terminating = p[1] == 1;
                http.add(new DesiredEndpoint(address, 8080, 1, ready, serving, terminating, node));
                https.add(new DesiredEndpoint(address, 8443, 1, ready, serving, terminating, node));
            }
        }
        boolean nodePorts = i % 10 == 0;
        int nodePort = nodePorts ? 30000 + 2 * (i / 10) : 0;
        List<DesiredServicePort> ports = List.of(
                new DesiredServicePort("http", Protocol.TCP, 80, 8080, nodePort, http),
                new DesiredServicePort("https", Protocol.TCP, 443, 8443, nodePorts ? nodePort + 1 : 0, https));
        List<IpAddress> clusterIps = List.of(new Ip4Address(0x0A60_0000 + i + 1),
                new Ip6Address(0xfd00_0000_0096_0000L, i + 1));
        return new DesiredService(new ServiceId("bench", "svc-" + i), clusterIps, List.of(), List.of(), ports,
                SessionAffinity.NONE, 0, i % 20 == 0, false);
    }

    /** Pod {@code index}: 10.(n >> 8).(n & 255).(k + 2) on node n, k its place on the node. */
    static Ip4Address v4(int index) {
        int node = index / PODS_PER_NODE;
        int k = index % PODS_PER_NODE;
        return new Ip4Address(0x0A00_0000 | (node >> 8) << 16 | (node & 0xff) << 8 | (k + 2));
    }

    static Ip6Address v6(int index) {
        int node = index / PODS_PER_NODE;
        return new Ip6Address(0xfd00_0010_0244_0000L | node, index % PODS_PER_NODE + 2);
    }
}
