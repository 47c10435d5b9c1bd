package io.podswitch.daemon.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.kubernetes.nodes.ClusterNodes;
import io.podswitch.daemon.kubernetes.nodes.NetworkCondition;
import io.podswitch.daemon.kubernetes.nodes.NodeTranslator;
import io.podswitch.daemon.kubernetes.nodes.NodeVerdict;
import io.podswitch.daemon.kubernetes.policy.ClusterPolicy;
import io.podswitch.daemon.kubernetes.policy.SlimPods;
import io.podswitch.daemon.kubernetes.services.ClusterServices;
import io.podswitch.daemon.kubernetes.services.ProgrammingLatency;
import io.podswitch.daemon.kubernetes.services.ServiceTarget;
import io.podswitch.daemon.kubernetes.watch.ApiWatchProbe;
import io.podswitch.daemon.kubernetes.watch.Reconciler;
import io.podswitch.daemon.kubernetes.watch.ResourceWatch;
import io.podswitch.daemon.kubernetes.watch.SlimStore;
import io.podswitch.daemon.kubernetes.watch.WatchHealth;
import io.podswitch.daemon.kubernetes.watch.WatchProbe;
import io.podswitch.daemon.kubernetes.watch.WatchWatchdog;
import io.podswitch.daemon.peers.PeerManager;
import io.podswitch.daemon.policy.PolicyManager;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code source: kubernetes}: the cluster as the API server holds it (shared/DESIGN.md, "Where the cluster
 * comes from"). Owns the client and the informers; the reconcilers turn their caches into table changes on
 * the control thread. Life cycle, as {@code Podswitchd} runs it:
 *
 * <ol>
 *   <li>{@link #connect}: the client, and the informers listing and watching (in the background);</li>
 *   <li>{@link #awaitThisNode}: blocks until this node's Node object has its pod CIDRs and an InternalIP (the
 *       switch and IPAM are built from them); logs why it still waits;</li>
 *   <li>the daemon builds the switch; then, on the control thread, {@link #applyNodesTo} hands the peer manager
 *       to the node reconciler, which installs every other node in one batch;</li>
 *   <li>{@link #markNetworkAvailable} once the control socket is up (in the background, retried);</li>
 *   <li>{@link #close} first at shutdown (no event reaches a table being torn down).</li>
 * </ol>
 *
 * <p>The API server unreachable at any point: informers retry with backoff, the data path keeps its last
 * state, {@link #status} says since when the view is stale. A watch that stays down while the API server
 * answers is restarted by a {@link WatchWatchdog} (docs/kubernetes.md, "When the API server is away").
 */
public final class KubernetesSource implements AutoCloseable {
    /** Re-delivery of every cached object (a drift check, as kube-proxy's --config-sync-period). */
    public static final long RESYNC_MILLIS = TimeUnit.MINUTES.toMillis(15);
    /**
     * Every resource is listed in pages of this many objects (kube-apiserver's limit/continue; client-go's page
     * size): unpaged, the list of 100,000 pods arrives as one ~200 MB body deserialized into full Pods before any is
     * cut down, more than the daemon's 1 GiB heap holds (bench kubernetes-policy: the daemon died in the list);
     * 5,000 Nodes with their image lists or the EndpointSlices of 10,000 Services are tens of MB as well. Paged,
     * one page at a time is held in full (and each pod slimmed as it is stored).
     */
    static final Long LIST_PAGE = 500L;
    private static final long HEALTH_PERIOD_MILLIS = 1000;

    private final ClusterConfig cluster;
    private final KubernetesClient client;
    private final Executor control;
    private final ResourceWatch<Node> nodes;
    private final ResourceWatch<Service> services;
    private final ResourceWatch<EndpointSlice> slices;
    private final ResourceWatch<Namespace> namespaces;
    private final ResourceWatch<Pod> pods;
    private final ResourceWatch<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> networkPolicies;
    private final List<ResourceWatch<?>> watches = new CopyOnWriteArrayList<>();
    private final List<Reconciler> reconcilers = new CopyOnWriteArrayList<>();
    /**
     * How long the watchdog's probe of a watch from an informer's resourceVersion waits for what the API server
     * replays (it does so at once; a 410 ends it sooner).
     */
    private static final Duration SINCE_WINDOW = Duration.ofSeconds(2);

    /** Per watch, what the API server says about its resource: does it answer, how many objects, what since the informer's version? */
    private final Map<ResourceWatch<?>, WatchProbe> probes = new ConcurrentHashMap<>();
    private final WatchWatchdog watchdog;
    private final ScheduledExecutorService background;
    /** The watchdog's probes block (up to the client's request timeout and retries): not on the health sampler. */
    private final ScheduledExecutorService watchdogThread;
    private volatile List<WatchHealth> health = List.of();
    private volatile ClusterNodes clusterNodes;
    private volatile ClusterServices clusterServices;
    private volatile ClusterPolicy clusterPolicy;
    private final ProgrammingLatency programmingLatency = new ProgrammingLatency(Instant.now());
    private volatile boolean closed;

    private KubernetesSource(ClusterConfig cluster, KubernetesClient client, Executor control) {
        this.cluster = cluster;
        this.client = client;
        this.control = control;
        this.background = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("podswitch-kubernetes").daemon(true).factory());
        this.watchdogThread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("podswitch-kubernetes-watchdog").daemon(true).factory());
        this.watchdog = WatchWatchdog.forReconnectInterval(
                Duration.ofMillis(client.getConfiguration().getWatchReconnectInterval()));
        this.nodes = watch("nodes", client.nodes(), LIST_PAGE, i -> { }, n -> List.of(ResourceWatch.keyOf(n)));
        this.services = watch("services", client.services().inAnyNamespace(), LIST_PAGE, i -> { },
                s -> List.of(ResourceWatch.keyOf(s)));
        this.slices = watch("endpointslices", client.discovery().v1().endpointSlices().inAnyNamespace(), LIST_PAGE,
                i -> i.addIndexers(Map.of(ClusterServices.BY_SERVICE, ClusterServices::serviceKeyOf)),
                ClusterServices::serviceKeyOf);
        // NetworkPolicy's inputs. Pods of every node (peers are selected by labels anywhere), each cached cut down
        // to what the policy engine reads (SlimPods): the cache is what a cluster of 100,000 pods costs.
        this.namespaces = watch(ClusterPolicy.NAMESPACES, client.namespaces(), LIST_PAGE, i -> { },
                n -> List.of(ClusterPolicy.key(ClusterPolicy.NAMESPACES, ResourceWatch.keyOf(n))));
        this.pods = watch(ClusterPolicy.PODS, client.pods().inAnyNamespace(), LIST_PAGE, i -> {
            i.removeNamespaceIndex();
            i.itemStore(new SlimStore<>(SlimPods::slim));
        }, p -> List.of(ClusterPolicy.key(ClusterPolicy.PODS, ResourceWatch.keyOf(p))));
        this.networkPolicies = watch(ClusterPolicy.POLICIES, client.network().v1().networkPolicies().inAnyNamespace(),
                LIST_PAGE, i -> { }, p -> List.of(ClusterPolicy.key(ClusterPolicy.POLICIES, ResourceWatch.keyOf(p))));
        background.scheduleWithFixedDelay(this::sampleHealth, HEALTH_PERIOD_MILLIS, HEALTH_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
        watchdogThread.scheduleWithFixedDelay(this::checkWatches, HEALTH_PERIOD_MILLIS, HEALTH_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Connects and starts watching; returns at once (the API server may be unreachable: the informers retry).
     *
     * @param kubeconfig {@code podswitchd --kubeconfig}, overriding the cluster file's
     * @param control    posts a task to the control thread ({@code ControlThread::post})
     */
    public static KubernetesSource connect(ClusterConfig cluster, Optional<Path> kubeconfig, Executor control) {
        KubernetesClient client = KubernetesClients.open(cluster.kubernetes(), kubeconfig);
        DaemonLog.info("kubernetes: API server " + KubernetesClients.describe(cluster.kubernetes(), kubeconfig, client));
        try {
            return new KubernetesSource(cluster, client, control);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Starts an informer on {@code api} as one of this source's watches, restarted by the watchdog when its watch
     * stays down while the API server answers (other resources: see {@link ResourceWatch}).
     *
     * @param pageSize  list in pages of this many objects (limit/continue; {@link #LIST_PAGE}), or null: unpaged
     * @param configure adds indexers or an item store to each new informer before it starts
     */
    public <T extends HasMetadata> ResourceWatch<T> watch(String resource,
                                                          FilterWatchListDeletable<T, ? extends KubernetesResourceList<T>, ?> api,
                                                          Long pageSize, Consumer<SharedIndexInformer<T>> configure,
                                                          Function<T, Collection<String>> keysOf) {
        ResourceWatch<T> w = ResourceWatch.start(resource, () -> {
            SharedIndexInformer<T> informer = (pageSize == null ? api : api.withLimit(pageSize))
                    .runnableInformer(RESYNC_MILLIS);
            configure.accept(informer);
            return informer;
        }, keysOf);
        watches.add(w);
        probes.put(w, new ApiWatchProbe<>(api, SINCE_WINDOW));
        return w;
    }

    /** Registers a reconciler for {@link #status} and readiness (it is fed by the watches it reads). */
    public void reconciler(Reconciler reconciler) {
        reconcilers.add(reconciler);
    }

    public KubernetesClient client() {
        return client;
    }

    public ClusterConfig cluster() {
        return cluster;
    }

    /**
     * Blocks until this node's Node object is usable (pod CIDRs of every cluster family inside the cluster's,
     * an InternalIP of the underlay family inside nodeCIDRs) and returns it; logs why it waits, once per reason
     * and again every {@code remind}.
     *
     * @throws InterruptedException when interrupted (the daemon was stopped while waiting)
     */
    public NodeConfig awaitThisNode(Duration remind) throws InterruptedException {
        String name = cluster.thisNodeName();
        NodeTranslator translator = new NodeTranslator(cluster);
        String lastReason = "";
        long lastLogged = 0;
        while (!closed) {
            Node node = nodes.get(name);
            String reason;
            if (node != null) {
                NodeVerdict verdict = translator.translate(node);
                if (verdict instanceof NodeVerdict.Accepted a) {
                    return a.node();
                }
                reason = ((NodeVerdict.Rejected) verdict).reason();
            } else if (!nodes.synced()) {
                WatchHealth h = nodes.health();
                reason = "the API server has not listed the nodes yet" + (h.lastError().isEmpty() ? "" : " (" + h.lastError() + ")");
            } else {
                reason = "there is no Node object named " + name + " (NODE_NAME / --node / node:)";
            }
            long now = System.nanoTime();
            if (!reason.equals(lastReason) || now - lastLogged > remind.toNanos()) {
                DaemonLog.info("kubernetes: waiting for this node " + name + ": " + reason);
                lastReason = reason;
                lastLogged = now;
            }
            Thread.sleep(100);
        }
        throw new InterruptedException("stopped while waiting for node " + name);
    }

    /**
     * Control thread, once the switch is built: the node reconciler starts applying to {@code peers}, first
     * every node listed so far (one batch), then every change.
     */
    public void applyNodesTo(PeerManager peers, NodeConfig self) {
        ClusterNodes reconciler = new ClusterNodes(cluster, self, control);
        reconciler.watching(nodes);
        nodes.feed(reconciler);
        reconciler(reconciler);
        clusterNodes = reconciler;
        reconciler.applyTo(peers);
    }

    /**
     * Control thread, once the switch is built: the service reconciler starts applying to {@code target}, first
     * every Service listed so far (with its EndpointSlices), then every change.
     */
    public void applyServicesTo(ServiceTarget target) {
        ClusterServices reconciler = new ClusterServices(cluster, services, slices, control, programmingLatency);
        services.feed(reconciler);
        slices.feed(reconciler);
        reconciler(reconciler);
        clusterServices = reconciler;
        reconciler.applyTo(target);
    }

    /**
     * Control thread, once the switch is built: the policy reconciler starts applying Namespaces, Pods and
     * NetworkPolicies to {@code manager}, first everything listed so far (one compilation), then every change.
     */
    public void applyPolicyTo(PolicyManager manager) {
        ClusterPolicy reconciler = new ClusterPolicy(cluster.ipFamilies(), cluster.thisNodeName(), namespaces, pods,
                networkPolicies, control);
        namespaces.feed(reconciler);
        pods.feed(reconciler);
        networkPolicies.feed(reconciler);
        reconciler(reconciler);
        clusterPolicy = reconciler;
        reconciler.applyTo(manager);
    }

    /**
     * Sets this node's {@code NetworkUnavailable} condition to False in the background, retrying (backoff up to
     * 30 s) until the API server takes it.
     */
    public void markNetworkAvailable() {
        markNetworkAvailable(1000);
    }

    private void markNetworkAvailable(long delayMillis) {
        if (closed) {
            return;
        }
        background.execute(() -> {
            try {
                NetworkCondition.markAvailable(client, cluster.thisNodeName());
                DaemonLog.info("kubernetes: node " + cluster.thisNodeName() + ": " + NetworkCondition.TYPE + "=False ("
                        + NetworkCondition.REASON + ")");
            } catch (RuntimeException e) {
                DaemonLog.warn("kubernetes: setting " + NetworkCondition.TYPE + "=False on node " + cluster.thisNodeName()
                        + " failed; retrying in " + delayMillis / 1000 + " s", e);
                if (!closed) {
                    background.schedule(() -> markNetworkAvailable(Math.min(30_000, delayMillis * 2)), delayMillis,
                            TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private void checkWatches() {
        for (ResourceWatch<?> w : watches) {
            try {
                watchdog.check(w, probes.get(w));
            } catch (RuntimeException e) {
                DaemonLog.warn("kubernetes: " + w.resource() + ": watchdog check failed", e);
            }
        }
    }

    private void sampleHealth() {
        List<WatchHealth> now = new ArrayList<>();
        for (ResourceWatch<?> w : watches) {
            now.add(w.health());
        }
        health = List.copyOf(now);
    }

    /** What {@code podswitch status} and the readiness probe show. Any thread. */
    public KubernetesStatus status() {
        List<WatchHealth> h = health;
        boolean connected = !h.isEmpty() && h.stream().allMatch(WatchHealth::watching);
        boolean synced = !h.isEmpty() && h.stream().allMatch(WatchHealth::synced)
                && reconcilers.stream().allMatch(Reconciler::caughtUp);
        long stale = h.stream().mapToLong(WatchHealth::staleMillis).max().orElse(0);
        ClusterNodes n = clusterNodes;
        ClusterServices s = clusterServices;
        ClusterPolicy p = clusterPolicy;
        return new KubernetesStatus(client.getMasterUrl().toString(), connected, synced, stale, h,
                reconcilers.stream().map(r -> new KubernetesStatus.ReconcilerView(r.name(), r.pending(), r.batches(),
                        r.keysReconciled())).toList(),
                n == null ? 0 : n.peers(), n == null ? Map.of() : n.skipped(),
                s == null ? new ClusterServices.Counts(0, 0, Map.of()) : s.counts(), programmingLatency.summary(),
                p == null ? new ClusterPolicy.Counts(0, 0, 0, 0) : p.counts(), p == null ? Map.of() : p.skipped());
    }

    /** Stops the informers (no event reaches the tables after this) and the client. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        background.shutdownNow();
        watchdogThread.shutdownNow();
        for (ResourceWatch<?> w : watches) {
            try {
                w.close();
            } catch (RuntimeException e) {
                DaemonLog.warn("kubernetes: stopping the " + w.resource() + " informer", e);
            }
        }
        client.close();
    }
}
