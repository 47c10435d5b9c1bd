package io.podswitch.perf.kubernetes;

import io.podswitch.testapi.BulkLists;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The NetworkPolicy inputs of a large cluster, as list items the test API server serves in bulk
 * ({@link BulkLists}: rendered per list request, nothing held): {@code pods} Pods in {@code pods / 100}
 * Namespaces and one NetworkPolicy per Namespace. Pods are a Deployment's (10 apps of 10 replicas per
 * Namespace; 4 labels, 2 named ports, requests, a projected token volume, a toleration, 4 conditions, one
 * running container status — about 2 KB of JSON each; no managedFields; or, {@link PodJson#REALISTIC}, the same pods as a
 * real API server lists them, ~7 KB each), spread over 5,000 node names;
 * every 5,000th runs on {@link ScaleCluster#SELF}, so this node has pods for the policies to select. Each
 * policy isolates one app of its Namespace both ways: ingress from the next app of the Namespace and from
 * app-0 of the Namespaces of its team (20 Namespaces), on the named port {@code http} and on 9090; egress to
 * the app after next and to DNS (UDP 53 in the service range). The same index always gives the same object.
 *
 * <pre>
 *   pod i      namespace ns-(i/100), app-((i%100)/10), node node-(1 + i%5000) (bench-node when i%5000 == 0)
 *              IPv4 10.(128 + j/65536).((j/256)%256).(j%256), j = i + 256 (bench-node's: 10.128.0.(2 + i/5000))
 *   ns k       labels team=team-(k%50), env=prod|dev
 *   policy k   ns-k/isolate-app-(k%10)
 * </pre>
 */
public final class PolicyScaleCluster {
    public static final int PODS_PER_NAMESPACE = 100;
    public static final int NODES = 5000;
    private static final int TEAMS = 50;
    private static final String TIME = "2026-12-01T10:00:00Z";

    /** The JSON each pod is served as. */
    public enum PodJson {
        /** ~2 KB: what the pod informer and the policy engine read, and little else; no managedFields. */
        MINIMAL(PolicyScaleCluster::pod),
        /** ~7 KB: as a real kube-apiserver lists a Deployment's pod, managedFields and all ({@link RealisticPod}). */
        REALISTIC(PolicyScaleCluster::realisticPod);

        private final IntFunction<String> render;

        PodJson(IntFunction<String> render) {
            this.render = render;
        }

        /** Pod {@code i} as this JSON. */
        public String render(int i) {
            return render.apply(i);
        }
    }

    private final int pods;
    private final PodJson podJson;

    public PolicyScaleCluster(int pods) {
        this(pods, PodJson.MINIMAL);
    }

    public PolicyScaleCluster(int pods, PodJson podJson) {
        this.podJson = podJson;
        if (pods % PODS_PER_NAMESPACE != 0 || pods / NODES > 250) {
            throw new IllegalArgumentException("pods: a multiple of " + PODS_PER_NAMESPACE + ", at most 1,250,000");
        }
        this.pods = pods;
    }

    public int pods() {
        return pods;
    }

    public PodJson podJson() {
        return podJson;
    }

    public int namespaces() {
        return pods / PODS_PER_NAMESPACE;
    }

    public int policies() {
        return namespaces();
    }

    /** Pods on {@link ScaleCluster#SELF}. */
    public int localPods() {
        return (pods + NODES - 1) / NODES;
    }

    /** Serves the three lists on {@code lists} at {@code resourceVersion}. */
    public void serveOn(BulkLists lists, String resourceVersion) {
        lists.serve("/api/v1/namespaces", "v1", "Namespace", namespaces(), PolicyScaleCluster::namespace, resourceVersion);
        lists.serve("/api/v1/pods", "v1", "Pod", pods, podJson::render, resourceVersion);
        lists.serve("/apis/networking.k8s.io/v1/networkpolicies", "networking.k8s.io/v1", "NetworkPolicy", policies(),
                PolicyScaleCluster::policy, resourceVersion);
    }

    static String namespace(int k) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns-" + k + "\",\"uid\":\"" + uid(1, k)
                + "\",\"resourceVersion\":\"" + (10 + k) + "\",\"creationTimestamp\":\"" + TIME + "\",\"labels\":{"
                + "\"kubernetes.io/metadata.name\":\"ns-" + k + "\",\"team\":\"team-" + (k % TEAMS) + "\",\"env\":\""
                + (k % 2 == 0 ? "prod" : "dev") + "\"}},\"spec\":{\"finalizers\":[\"kubernetes\"]},"
                + "\"status\":{\"phase\":\"Active\"}}";
    }

    /** Pod {@code i}'s IPv4 address. */
    public static String podIp(int i) {
        if (i % NODES == 0) {
            return "10.128.0." + (2 + i / NODES);
        }
        int j = i + 256;
        return "10." + (128 + j / 65536) + "." + ((j / 256) % 256) + "." + (j % 256);
    }

    /** Pod {@code i} as the bench served it first: ~2 KB, no managedFields. */
    static String pod(int i) {
        Map<String, String> f = podFacts(i);
        String app = f.get("app");
        String image = f.get("image");
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + f.get("name") + "\",\"generateName\":\""
                + f.get("rs") + "-\",\"namespace\":\"" + f.get("ns") + "\",\"uid\":\"" + f.get("uid") + "\",\"resourceVersion\":\""
                + f.get("rv") + "\",\"creationTimestamp\":\"" + TIME + "\",\"labels\":{\"app\":\"" + app + "\",\"tier\":\""
                + f.get("tier") + "\",\"version\":\"v1\",\"pod-template-hash\":\"" + f.get("hash") + "\"},"
                + "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"" + f.get("rs")
                + "\",\"uid\":\"" + f.get("rsUid") + "\",\"controller\":true,\"blockOwnerDeletion\":true}]},"
                + "\"spec\":{\"nodeName\":\"" + f.get("node") + "\",\"serviceAccountName\":\"default\",\"restartPolicy\":\"Always\","
                + "\"dnsPolicy\":\"ClusterFirst\",\"schedulerName\":\"default-scheduler\",\"terminationGracePeriodSeconds\":30,"
                + "\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\",\"imagePullPolicy\":\"IfNotPresent\","
                + "\"ports\":[{\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"},{\"name\":\"metrics\","
                + "\"containerPort\":9090,\"protocol\":\"TCP\"}],\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},"
                + "\"limits\":{\"memory\":\"256Mi\"}},\"volumeMounts\":[{\"name\":\"kube-api-access\",\"mountPath\":"
                + "\"/var/run/secrets/kubernetes.io/serviceaccount\",\"readOnly\":true}],\"terminationMessagePath\":"
                + "\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\"}],\"volumes\":[{\"name\":\"kube-api-access\","
                + "\"projected\":{\"defaultMode\":420,\"sources\":[{\"serviceAccountToken\":{\"expirationSeconds\":3607,"
                + "\"path\":\"token\"}}]}}],\"tolerations\":[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\","
                + "\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]},"
                + "\"status\":{\"phase\":\"Running\",\"hostIP\":\"" + f.get("hostIp") + "\",\"podIP\":\"" + f.get("ip")
                + "\",\"podIPs\":[{\"ip\":\"" + f.get("ip") + "\"}],\"startTime\":\"" + TIME + "\",\"qosClass\":\"Burstable\",\"conditions\":["
                + condition("Initialized") + "," + condition("Ready") + "," + condition("ContainersReady") + ","
                + condition("PodScheduled") + "],\"containerStatuses\":[{\"name\":\"app\",\"ready\":true,\"started\":true,"
                + "\"restartCount\":0,\"image\":\"" + image + "\",\"imageID\":\"" + f.get("imageId")
                + "\",\"containerID\":\"containerd://" + f.get("containerId") + "\",\"state\":{\"running\":{\"startedAt\":\"" + TIME
                + "\"}},\"lastState\":{}}]}}";
    }

    /** Pod {@code i} as a real kube-apiserver lists it: managedFields, probes, env… (~7 KB; {@link RealisticPod}). */
    static String realisticPod(int i) {
        return RealisticPod.render(podFacts(i));
    }

    /** What makes pod {@code i} itself: the values both renderings share. */
    private static Map<String, String> podFacts(int i) {
        int ns = i / PODS_PER_NAMESPACE;
        String app = "app-" + (i % PODS_PER_NAMESPACE) / 10;
        String hash = Integer.toHexString(0x5d000000 | (ns * 16 + (i % PODS_PER_NAMESPACE) / 10) & 0xffffff);
        String rs = app + "-" + hash;
        Map<String, String> f = new HashMap<>(32);
        f.put("time", TIME);
        f.put("ns", "ns-" + ns);
        f.put("app", app);
        f.put("hash", hash);
        f.put("rs", rs);
        f.put("name", rs + "-p" + i);
        f.put("suffix", Integer.toString(60_466_176 + Math.floorMod(i * 7919, 60_466_176), 36).substring(1)); // 5 of [0-9a-z]
        f.put("tier", i % 3 == 0 ? "frontend" : "backend");
        f.put("uid", uid(2, i));
        f.put("rsUid", uid(3, ns * 16 + (i % PODS_PER_NAMESPACE) / 10));
        f.put("rv", Integer.toString(100_000 + i));
        f.put("node", i % NODES == 0 ? ScaleCluster.SELF : "node-" + (1 + i % NODES));
        f.put("hostIp", i % NODES == 0 ? ScaleCluster.SELF_ADDRESS : ScaleCluster.nodeAddress(1 + i % NODES));
        f.put("ip", podIp(i));
        f.put("image", "registry.example/" + app + ":1.4." + (ns % 7));
        f.put("imageId", "registry.example/" + app + "@sha256:" + hex64(ns));
        f.put("containerId", hex64(i));
        return f;
    }

    static String policy(int k) {
        int a = k % 10;
        return "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"isolate-app-" + a
                + "\",\"namespace\":\"ns-" + k + "\",\"uid\":\"" + uid(4, k) + "\",\"resourceVersion\":\"" + (50_000 + k)
                + "\",\"creationTimestamp\":\"" + TIME + "\"},\"spec\":{\"podSelector\":{\"matchLabels\":{\"app\":\"app-" + a
                + "\"}},\"policyTypes\":[\"Ingress\",\"Egress\"],\"ingress\":[{\"from\":[{\"podSelector\":{\"matchLabels\":"
                + "{\"app\":\"app-" + (a + 1) % 10 + "\"}}},{\"namespaceSelector\":{\"matchLabels\":{\"team\":\"team-" + (k % TEAMS)
                + "\"}},\"podSelector\":{\"matchLabels\":{\"app\":\"app-0\"}}}],\"ports\":[{\"protocol\":\"TCP\",\"port\":\"http\"},"
                + "{\"protocol\":\"TCP\",\"port\":9090}]}],\"egress\":[{\"to\":[{\"podSelector\":{\"matchLabels\":{\"app\":\"app-"
                + (a + 2) % 10 + "\"}}}],\"ports\":[{\"protocol\":\"TCP\",\"port\":8080}]},{\"to\":[{\"ipBlock\":{\"cidr\":"
                + "\"10.96.0.0/12\"}}],\"ports\":[{\"protocol\":\"UDP\",\"port\":53}]}]}}";
    }

    private static String condition(String type) {
        return "{\"type\":\"" + type + "\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"" + TIME + "\"}";
    }

    private static String uid(int kind, int n) {
        return String.format("%08x-0000-4000-8000-%012x", kind, n);
    }

    private static String hex64(int n) {
        String h = String.format("%016x", (long) n * 0x9e3779b97f4a7c15L);
        return h + h + h + h;
    }
}
