package io.podswitch.daemon.kubernetes;

import static io.podswitch.daemon.policy.Policies.from;
import static io.podswitch.daemon.policy.Policies.labels;
import static io.podswitch.daemon.policy.Policies.namespaces;
import static io.podswitch.daemon.policy.Policies.podsIn;
import static io.podswitch.daemon.policy.Policies.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.daemon.api.ControlThread;
import io.podswitch.daemon.kubernetes.policy.ApiPolicyObjects;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.daemon.kubernetes.watch.WatchHealth;
import io.podswitch.daemon.policy.PolicyCompiler;
import io.podswitch.daemon.policy.PolicyManager;
import io.podswitch.policy.CompiledPolicy;
import io.podswitch.policy.PolicyTables;
import io.podswitch.policy.PortSets;
import io.podswitch.testapi.ApiForwarder;
import io.podswitch.testapi.TestApiServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Namespaces, Pods and NetworkPolicies on the test API server → this node's compiled policy tables, through the
 * production path (client, informers, the policy reconciler on the control thread, {@link PolicyManager}): a pod
 * relabelled, a namespace relabelled, a policy updated and deleted each change what the tables allow; a
 * no-op update compiles nothing; a malformed policy is skipped with its reason and picked up when fixed; an
 * outage keeps the tables and the relist applies what changed meanwhile; a watch that stays down while the API
 * server answers is restarted by the watchdog.
 */
class KubernetesPolicyTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** x/a lives on this node (a); y/b, y/c on node b. */
    private static final IpAddress XA = IpAddress.parse("10.244.1.2");
    private static final IpAddress YB = IpAddress.parse("10.244.2.3");
    private static final IpAddress YC = IpAddress.parse("10.244.2.4");

    @TempDir
    Path dir;
    private TestApiServer api;
    private ApiForwarder forwarder;
    private KubernetesClient admin;
    private final ControlThread control = new ControlThread();
    private KubernetesSource source;
    private PolicyManager manager;

    @BeforeEach
    void start() throws Exception {
        api = TestApiServer.startLocal();
        admin = api.client();
        forwarder = new ApiForwarder(ApiForwarder.bind(new InetSocketAddress("127.0.0.1", 0)),
                new InetSocketAddress("127.0.0.1", api.port())).start();
        admin.nodes().resource(ApiObjects.node("a", 1)).create();
        admin.namespaces().resource(ApiPolicyObjects.namespace("x", Map.of("ns", "x"))).create();
        admin.namespaces().resource(ApiPolicyObjects.namespace("y", Map.of("ns", "y"))).create();
        admin.pods().resource(pod("x", "a", "a", XA)).create();
        admin.pods().resource(pod("y", "b", "b", YB)).create();
        admin.pods().resource(pod("y", "c", "b", YC)).create();
        ClusterConfig cluster = ConfigLoader.parse("""
                source: kubernetes
                ipFamilies: [IPv4]
                podCIDRs: [10.244.0.0/16]
                serviceCIDRs: [10.96.0.0/16]
                nodeCIDRs: [192.168.1.0/24]
                node: a
                """, "cluster.yaml", Map.of());
        source = KubernetesSource.connect(cluster, Optional.of(TestApiServer.writeKubeconfig(dir.resolve("kubeconfig"),
                "http://127.0.0.1:" + forwarder.port())), control::post);
        manager = new PolicyManager(new PolicyTables(64, 1), new PolicyCompiler.Node(List.of(Cidr.parse("10.244.1.0/24")),
                List.of(IpAddress.parse("192.168.1.1"))));
    }

    @AfterEach
    void stop() {
        source.close();
        control.close();
        forwarder.close();
        admin.close();
        api.close();
    }

    private static Pod pod(String ns, String name, String node, IpAddress ip) {
        return ApiPolicyObjects.pod(ns, name, Map.of("pod", name), node, List.of(ip));
    }

    private void attach() throws Exception {
        control.call(() -> {
            source.applyPolicyTo(manager);
            return null;
        }, 10_000);
    }

    /** What this node's published tables say about a new TCP connection from → x/a:port (ingress). */
    private boolean tablesAllow(IpAddress fromAddress, int port) {
        CompiledPolicy snap = manager.tables().current();
        long fromInfo = snap.addresses().lookup4(((Ip4Address) fromAddress).value());
        long toInfo = snap.addresses().lookup4(((Ip4Address) XA).value());
        return snap.ingress(fromInfo, toInfo, 6, port) != PortSets.DENIED;
    }

    /** Objects in a resource's informer cache (as sampled each second). */
    private int cached(String resource) {
        return source.status().watches().stream().filter(w -> w.resource().equals(resource) && w.synced())
                .mapToInt(w -> w.items()).sum();
    }

    private long generation() {
        return manager.tables().current().generation();
    }

    private String view() {
        return "generation " + generation() + ", status " + source.status();
    }

    @Test
    void relabellingPodsAndNamespacesAndChangingPoliciesChangeTheTables() throws Exception {
        allowYbToXa();
        // Listed before the reconciler is attached (as at a daemon's start with a fast API server): then everything
        // is one batch.
        Eventually.until(WAIT, () -> cached("namespaces") == 2 && cached("pods") == 3 && cached("networkpolicies") == 1,
                this::view);
        attach();
        Eventually.until(WAIT, () -> source.status().synced() && source.status().policy().policies() == 1, this::view);
        assertEquals(new io.podswitch.daemon.kubernetes.policy.ClusterPolicy.Counts(2, 3, 1, 1), source.status().policy(),
                "everything listed is one batch, one compilation");
        assertTrue(tablesAllow(YB, 80), "y/b is allowed");
        assertTrue(!tablesAllow(YC, 80), "y/c is not");

        // the pod relabelled: y/c becomes pod=b, y/b becomes pod=z
        Pod yc = admin.pods().inNamespace("y").withName("c").get();
        yc.getMetadata().setLabels(Map.of("pod", "b"));
        admin.pods().resource(yc).update();
        Eventually.until(WAIT, () -> tablesAllow(YC, 80), this::view);
        Pod yb = admin.pods().inNamespace("y").withName("b").get();
        yb.getMetadata().setLabels(Map.of("pod", "z"));
        admin.pods().resource(yb).update();
        Eventually.until(WAIT, () -> !tablesAllow(YB, 80), this::view);
        assertTrue(tablesAllow(YC, 80));

        // the namespace relabelled: y is no longer ns=y
        var y = admin.namespaces().withName("y").get();
        y.getMetadata().setLabels(Map.of("kubernetes.io/metadata.name", "y", "ns", "elsewhere"));
        admin.namespaces().resource(y).update();
        Eventually.until(WAIT, () -> !tablesAllow(YC, 80), this::view);

        // the policy updated: from namespace ns=elsewhere on port 81 only
        admin.network().v1().networkPolicies().resource(ApiPolicyObjects.policy(policy("x", "allow-yb").selectPod("a")
                .ingress(io.podswitch.daemon.policy.Policies.rule(List.of(namespaces(labels("ns", "elsewhere"))),
                        io.podswitch.daemon.policy.Policies.tcp(81))).build())).update();
        Eventually.until(WAIT, () -> tablesAllow(YC, 81) && tablesAllow(YB, 81), this::view);
        assertTrue(!tablesAllow(YC, 80), "port 80 is no longer allowed");

        // a no-op update (a field the policy engine does not read) compiles nothing
        long before = generation();
        Pod touched = admin.pods().inNamespace("y").withName("c").get();
        touched.getMetadata().setAnnotations(Map.of("touched", "yes"));
        admin.pods().resource(touched).update();
        admin.namespaces().resource(ApiPolicyObjects.namespace("probe", Map.of())).create(); // processed after it
        Eventually.until(WAIT, () -> source.status().policy().namespaces() == 3, this::view);
        assertEquals(before + 1, generation(), "only the namespace compiled: " + view());

        // deleted: x/a is not isolated any more
        admin.network().v1().networkPolicies().inNamespace("x").withName("allow-yb").delete();
        Eventually.until(WAIT, () -> source.status().policy().policies() == 0, this::view);
        assertTrue(tablesAllow(YC, 80) && tablesAllow(YB, 80) && tablesAllow(IpAddress.parse("10.9.9.9"), 22));
        assertEquals(CompiledPolicy.NOT_ISOLATED, manager.tables().current().ingress(0, manager.tables().current()
                .addresses().lookup4(((Ip4Address) XA).value()), 6, 80));
        // a deleted pod is gone from the engine's view
        admin.pods().inNamespace("y").withName("b").delete();
        Eventually.until(WAIT, () -> source.status().policy().pods() == 2, this::view);
        control.call(() -> {
            assertTrue(manager.model().podAt(YB) == null);
            return null;
        }, 10_000);
    }

    @Test
    void aMalformedPolicyIsSkippedWithItsReasonAndPickedUpWhenFixed() throws Exception {
        var bad = ApiPolicyObjects.policy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny, namespace: x}
                spec:
                  podSelector: {matchExpressions: [{key: pod, operator: Near, values: [a]}]}
                """);
        admin.network().v1().networkPolicies().resource(bad).create();
        attach();
        Eventually.until(WAIT, () -> source.status().skippedPolicyInputs().containsKey("networkpolicies/x/deny"), this::view);
        Skipped why = source.status().skippedPolicyInputs().get("networkpolicies/x/deny");
        assertEquals("bad_selector", why.reason());
        assertTrue(tablesAllow(YB, 80), "nothing isolates x/a");
        admin.network().v1().networkPolicies().resource(ApiPolicyObjects.policy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny, namespace: x}
                spec:
                  podSelector: {matchExpressions: [{key: pod, operator: In, values: [a]}]}
                """)).update();
        // The reconciler publishes the tables inside the batch and its skipped view after it: wait for both.
        Eventually.until(WAIT, () -> !tablesAllow(YB, 80) && source.status().skippedPolicyInputs().isEmpty(),
                this::view);
    }

    @Test
    void anOutageKeepsTheTablesAndTheRelistAppliesWhatChangedMeanwhile() throws Exception {
        isolateXaThenCutTheApiServer();
        allowYbToXa();
        admin.pods().inNamespace("y").withName("c").delete();
        assertTrue(!tablesAllow(YB, 80), "the tables keep their last state while the API server is away");

        forwarder.start();
        Eventually.until(Duration.ofSeconds(60), () -> tablesAllow(YB, 80) && source.status().policy().pods() == 2,
                this::view);
        assertTrue(!tablesAllow(YC, 80));
        control.call(() -> {
            assertEquals(List.of(new NamespacedName("x", "allow-yb"), new NamespacedName("x", "deny")),
                    manager.policies().stream().map(p -> p.id()).toList());
            return null;
        }, 10_000);
        Eventually.until(WAIT, () -> source.status().connected(), this::view);
    }

    /**
     * The production bug of issue 12, made deterministic: an outage begins while the networkpolicies informer
     * (re)starts its watch, so that watch's first WebSocket handshake fails (here: dropped by the forwarder once;
     * in the flaky run, it hung while the test API server's event loop was blocked and timed out). fabric8 then
     * watches over plain HTTP for good, which this API server answers with an error every time, and retries that
     * watch forever without listing again: the informer sits at watching=false and its view never changes
     * again. The watchdog sees the watch down while the API server answers lists of it, and replaces the
     * informer; a policy deleted after the watch got stuck reaches the tables.
     */
    @Test
    void aWatchThatStaysDownWhileTheApiServerAnswersIsRestartedAndItsViewCatchesUp() throws Exception {
        isolateXaThenCutTheApiServer();
        long created = Long.parseLong(allowYbToXa().getMetadata().getResourceVersion());
        // No watch can start from >= created without listing first: the first such WebSocket handshake is the first
        // of a new watch, the one whose failure makes fabric8 fall back to HTTP. It is dropped (and the JDK client's
        // retries of it) until the API server sees that watch come over plain HTTP; a restarted informer's handshake
        // then goes through.
        BooleanSupplier fellBack = () -> api.dispatcher().requests().stream().anyMatch(r -> !r.webSocket() && r.watch()
                && r.resource().equals("networkpolicies") && r.resourceVersion().map(Long::parseLong).orElse(0L) >= created);
        forwarder.dropWhen(head -> head.startsWith("GET /apis/networking.k8s.io/v1/networkpolicies?")
                && head.toLowerCase(Locale.ROOT).contains("upgrade: websocket") && watchFrom(head) >= created
                && !fellBack.getAsBoolean());
        forwarder.start();
        Eventually.until(Duration.ofSeconds(90), () -> tablesAllow(YB, 80) && fellBack.getAsBoolean(), this::view);

        // The watch is stuck now: only a restarted informer sees this.
        admin.network().v1().networkPolicies().inNamespace("x").withName("allow-yb").delete();
        Eventually.until(Duration.ofSeconds(120), () -> !tablesAllow(YB, 80), this::view);
        Eventually.until(WAIT, () -> policiesWatch().restarts() >= 1, () -> "the watchdog restarted the informer: " + view());
        Eventually.until(WAIT, () -> source.status().connected(), this::view);
        control.call(() -> {
            assertEquals(List.of(new NamespacedName("x", "deny")), manager.policies().stream().map(p -> p.id()).toList());
            return null;
        }, 10_000);
    }

    /**
     * The second stuck mode (issue 12, seen twice in full-suite runs: {@code watching=true}, still at the
     * resourceVersion of before the outage, nothing delivered), made deterministic: after the outage the
     * networkpolicies watch reconnects and its WebSocket upgrade goes through, but the forwarder loses the stream
     * after it (as a proxy or NAT that lost one side of the connection; in the flaky runs, the test API server's
     * stalled event loop) — the 410 the API server answers that watch with never arrives, nor does its close. x/deny
     * was updated meanwhile to allow y/b: the same number of policies, so counting cannot see it. The watchdog probes
     * the watch that came back and stayed quiet (a watch of its own from the informer's version: 410), and restarts
     * the informer at the next probe. Red before that probe (an established watch was only counted, every 15
     * minutes): the tables never allowed y/b.
     */
    @Test
    void aWatchBackFromAnOutageThatCarriesNothingIsRestartedAndItsViewCatchesUp() throws Exception {
        isolateXa();
        // A watch cut within 2 s of its start having carried nothing is taken for a 410 by fabric8 (it re-lists instead
        // of watching again): the outage comes after the watch has settled.
        Eventually.until(WAIT, () -> policiesWatch().watching()
                && System.currentTimeMillis() - policiesWatch().lastEventMillis() > 3000, this::view);
        cutTheApiServer();
        long updated = Long.parseLong(admin.network().v1().networkPolicies().resource(ApiPolicyObjects.policy(
                policy("x", "deny").selectPod("a").ingress(from(podsIn(labels("ns", "y"), labels("pod", "b")))).build()))
                .update().getMetadata().getResourceVersion());
        AtomicBoolean first = new AtomicBoolean(true);
        forwarder.muteWhen(head -> head.startsWith("GET /apis/networking.k8s.io/v1/networkpolicies?")
                && head.toLowerCase(Locale.ROOT).contains("upgrade: websocket") && first.compareAndSet(true, false));
        forwarder.start();
        Eventually.until(WAIT, () -> forwarder.muted() == 1 && policiesWatch().watching()
                && Long.parseLong(policiesWatch().resourceVersion()) < updated, () -> "the watch back from before "
                + updated + ", carrying nothing (muted " + forwarder.muted() + "): " + view());
        assertTrue(!tablesAllow(YB, 80));

        Eventually.until(WAIT, () -> tablesAllow(YB, 80), this::view);
        Eventually.until(WAIT, () -> policiesWatch().restarts() == 1 && cached("networkpolicies") == 1, this::view);
        Eventually.until(WAIT, () -> source.status().connected(), this::view);
    }

    /** x/deny isolates x/a, applied; then the API server is cut off (every watch down). */
    private void isolateXaThenCutTheApiServer() throws Exception {
        isolateXa();
        cutTheApiServer();
    }

    /** x/deny isolates x/a, applied. */
    private void isolateXa() throws Exception {
        admin.network().v1().networkPolicies().resource(ApiPolicyObjects.policy(policy("x", "deny").selectPod("a")
                .ingress().build())).create();
        attach();
        Eventually.until(WAIT, () -> source.status().synced() && !tablesAllow(YB, 80), this::view);
    }

    /** The API server is cut off (every watch down). */
    private void cutTheApiServer() {
        forwarder.stop();
        Eventually.until(WAIT, () -> !source.status().connected(), this::view);
    }

    /** Creates x/allow-yb (y/b may reach x/a). */
    private io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy allowYbToXa() {
        return admin.network().v1().networkPolicies().resource(ApiPolicyObjects.policy(policy("x", "allow-yb")
                .selectPod("a").ingress(from(podsIn(labels("ns", "y"), labels("pod", "b")))).build())).create();
    }

    private WatchHealth policiesWatch() {
        return source.status().watches().stream().filter(w -> w.resource().equals("networkpolicies")).findFirst()
                .orElseThrow();
    }

    /** The resourceVersion a watch request's head asks to start from (0 if none). */
    private static long watchFrom(String head) {
        Matcher m = Pattern.compile("[?&]resourceVersion=(\\d+)").matcher(head.substring(0, head.indexOf('\n')));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
