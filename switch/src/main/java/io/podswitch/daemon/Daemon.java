package io.podswitch.daemon;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.config.model.UplinkAttach;
import io.podswitch.daemon.api.ControlApi;
import io.podswitch.daemon.api.ControlServer;
import io.podswitch.daemon.api.ControlThread;
import io.podswitch.daemon.api.DaemonOperations;
import io.podswitch.daemon.api.PeerOperations;
import io.podswitch.daemon.api.StatusOperations;
import io.podswitch.daemon.egress.EgressManager;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.engine.IdentifiedPortCounters;
import io.podswitch.daemon.engine.PortCounterSource;
import io.podswitch.daemon.engine.PortIdentity;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.health.Gate;
import io.podswitch.daemon.health.Health;
import io.podswitch.daemon.health.ProgressCheck;
import io.podswitch.daemon.http.ErrorBodies;
import io.podswitch.daemon.http.HttpListener;
import io.podswitch.daemon.http.HttpTransport;
import io.podswitch.daemon.http.ListenerSettings;
import io.podswitch.daemon.metrics.DaemonMetrics;
import io.podswitch.daemon.metrics.ProbeEndpoint;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.podswitch.daemon.host.HostPort;
import io.podswitch.port.tap.TapSteering;
import io.podswitch.daemon.ipam.Attachment;
import io.podswitch.daemon.ipam.IpRange;
import io.podswitch.daemon.ipam.Ipam;
import io.podswitch.daemon.kubernetes.KubernetesMetrics;
import io.podswitch.daemon.kubernetes.KubernetesReadiness;
import io.podswitch.daemon.kubernetes.KubernetesSource;
import io.podswitch.daemon.kubernetes.services.ServiceTarget;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.ServiceId;
import io.podswitch.daemon.peers.ClusterPeers;
import io.podswitch.daemon.pod.PodMacs;
import io.podswitch.daemon.pod.PodManager;
import io.podswitch.daemon.pod.PodStore;
import io.podswitch.daemon.policy.DenyLogger;
import io.podswitch.daemon.policy.PolicyCompiler;
import io.podswitch.daemon.policy.PolicyCounterSource;
import io.podswitch.daemon.policy.PolicyManager;
import io.podswitch.daemon.policy.PolicyMetrics;
import io.podswitch.daemon.policy.PolicyOperations;
import io.podswitch.daemon.policy.PolicyPodListener;
import io.podswitch.daemon.reload.ConfigReloader;
import io.podswitch.daemon.reload.FileServices;
import io.podswitch.daemon.reload.ReloadResult;
import io.podswitch.daemon.reload.ReloadTriggers;
import io.podswitch.daemon.reload.ReloadWarmup;
import io.podswitch.daemon.services.ServiceCounterSource;
import io.podswitch.daemon.services.NodePortNotice;
import io.podswitch.daemon.services.ServiceAddressSteering;
import io.podswitch.daemon.services.ServiceManager;
import io.podswitch.daemon.stats.DaemonCounters;
import io.podswitch.nativeio.NetlinkMonitor;
import io.podswitch.nativeio.bpf.ServiceAddressMaps;
import io.podswitch.port.udp.UdpTunnelPort;
import io.podswitch.port.tap.TapPortConfig;
import io.podswitch.service.HairpinAddresses;
import io.podswitch.stats.CounterSource;
import io.podswitch.stats.StatsFile;
import io.podswitch.stats.StatsPublisher;
import io.podswitch.worker.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running podswitchd: built by {@link #start}, stopped by {@link #close}. Everything that changes
 * switch state runs on the {@link ControlThread}; see docs/daemon.md for the whole picture.
 *
 * <p>Startup, in order (each step needs the one before):
 * <ol>
 *   <li>IPAM (recovers allocations from {@code state-dir/ipam.state}) and the pod registry
 *       ({@code state-dir/pods.json});</li>
 *   <li>the engine: frames, tables, one graph per worker, workers started;</li>
 *   <li>egress: kernel forwarding on, the masquerade table programmed (docs/egress.md);</li>
 *   <li>the host TAP with the kernel routes for the pod CIDRs, the switch's default route to it;</li>
 *   <li>recovery: every recorded pod's TAP re-attached, pods whose netns is gone released;</li>
 *   <li>the stats file, published every {@link #STATS_PERIOD_MS};</li>
 *   <li>the control socket — last, so a client that can connect finds a complete daemon.</li>
 * </ol>
 */
public final class Daemon implements AutoCloseable {
    /** The IPAM attachment under which the host TAP's addresses are held (never collected by GC). */
    public static final String HOST_CONTAINER_ID = "podswitch-host";
    public static final long STATS_PERIOD_MS = 500;
    /** How often the peers' next hops are re-read from the kernel (routes and neighbour MACs). */
    public static final long PEER_REFRESH_MS = 1000;
    /** Counters of everything but the tunnel peers (ports, graph nodes, services …). */
    private static final int BASE_COUNTERS = 16384;
    private static final long STARTUP_TIMEOUT_MS = 120_000;
    /** A worker whose slow tick has not advanced for this long is wedged (it ticks at least every few ms). */
    static final long WORKER_STALL_NS = 10_000_000_000L;
    /**
     * The control thread runs the stats publisher every {@link #STATS_PERIOD_MS}; not for this long means
     * it is stuck (one request may legitimately hold it up to {@code ControlApi.REQUEST_TIMEOUT_MS}).
     */
    static final long CONTROL_STALL_NS = 90_000_000_000L;
    /** A scrape waits this long for the control thread before answering 503. */
    static final long SCRAPE_TIMEOUT_MS = 10_000;

    private final DaemonOptions options;
    private final ControlThread control = new ControlThread();
    private final Health health = new Health();
    private final Gate dataplaneReady = health.readiness().gate("dataplane", "starting: workers and host port");
    private final Gate stateReady = health.readiness().gate("state", "starting: recovering IPAM and pods");
    private final Gate apiReady = health.readiness().gate("api", "starting: control socket not open yet");
    private final AtomicLong controlRuns = new AtomicLong();
    private SwitchEngine engine;
    private HostPort host;
    /** Multi-queue pod TAPs with sparse/heavy flow steering; null when the kernel refused the program. */
    private TapSteering steering;
    private PodManager pods;
    private ServiceManager services;
    private PolicyManager policy;
    private final NodePortNotice nodePortNotice = new NodePortNotice();
    private StatsFile statsFile;
    private StatsPublisher publisher;
    private DaemonCounters counters;
    private ControlServer server;
    private ControlApi api;
    private ScheduledFuture<?> publishing;
    private ClusterPeers cluster;
    private ScheduledFuture<?> peerRefresh;
    private EgressManager egress;
    private ScheduledFuture<?> egressCheck;
    private ConfigReloader reloader;
    private ReloadTriggers reloadTriggers;
    private ReloadWarmup reloadWarmup;
    private NetlinkMonitor kernelEvents;
    private HttpTransport http;
    private HttpListener probeListener;
    private volatile DaemonMetrics metrics;
    private DataPlaneWatch dataPlaneWatch;
    private ScheduledFuture<?> dataPlaneChecks;
    /** With {@code source: kubernetes}: the API server's informers (null with the file source). */
    private KubernetesSource kubernetes;
    private volatile boolean closed;

    private Daemon(DaemonOptions options) {
        this.options = options;
    }

    /**
     * Builds and starts the daemon. With {@code source: kubernetes} it first connects to the API server and waits
     * (logging why) until this node's Node object has its pod CIDRs and InternalIP: the switch and IPAM are
     * built from them; until then there is no control socket, so CNI ADDs fail with "try again later".
     */
    public static Daemon start(DaemonOptions options, ClusterConfig fileConfig) throws Exception {
        Daemon daemon = new Daemon(options);
        try {
            daemon.http = HttpTransport.start();
            // First, so that /healthz and /readyz answer while the daemon starts (readyz: 503 until ready).
            daemon.startProbeListener();
            ClusterConfig config = fileConfig;
            NodeConfig self = null;
            if (fileConfig.fromKubernetes()) {
                daemon.kubernetes = KubernetesSource.connect(fileConfig, Optional.ofNullable(options.kubeconfig()),
                        daemon.control::post);
                daemon.health.readiness().register(new KubernetesReadiness(daemon.kubernetes));
                self = daemon.kubernetes.awaitThisNode(Duration.ofSeconds(30));
                DaemonLog.info("kubernetes: this node " + self.name() + ": addresses " + self.addresses() + ", pod CIDRs "
                        + self.podCidrs());
                config = fileConfig.withNodes(List.of(self));
            }
            ClusterConfig built = config;
            NodeConfig thisNode = self;
            daemon.control.call(() -> {
                daemon.build(built);
                if (thisNode != null) {
                    daemon.metrics.register(new KubernetesMetrics(daemon.kubernetes));
                    daemon.kubernetes.applyNodesTo(daemon.cluster.manager(), thisNode);
                    ServiceManager services = daemon.services;
                    daemon.kubernetes.applyServicesTo(new ServiceTarget() {
                        @Override
                        public void apply(DesiredService service) {
                            services.apply(service);
                        }

                        @Override
                        public void remove(ServiceId id) {
                            services.remove(id);
                        }
                    });
                    daemon.kubernetes.applyPolicyTo(daemon.policy);
                }
                return null;
            }, STARTUP_TIMEOUT_MS);
            ControlApi api = new ControlApi(daemon.control, new DaemonOperations(daemon.pods, daemon.engine,
                    daemon.counters, daemon.services), new PeerOperations(daemon.engine,
                    daemon.cluster, daemon.reloader),
                    new StatusOperations(fileConfig.thisNodeName(), options.config().toString(), daemon.kubernetes),
                    new PolicyOperations(daemon.policy));
            daemon.api = api;
            daemon.server = ControlServer.start(daemon.http, options.socket(), api, ListenerSettings.DEFAULTS);
            daemon.apiReady.pass("control socket " + options.socket() + " (" + daemon.http.name() + ")");
            daemon.reloadTriggers = ReloadTriggers.start(options.config(), daemon::reloadFromTrigger);
            daemon.reloadWarmup = daemon.reloader.warmUp();
            if (daemon.kubernetes != null) {
                daemon.kubernetes.markNetworkAvailable();
            }
        } catch (ExecutionException e) {
            daemon.close();
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (Exception | Error e) {
            daemon.close();
            throw e;
        }
        DaemonLog.info("ready: node " + fileConfig.thisNodeName() + ", pod CIDRs " + describe(daemon.pods.ranges()) + ", "
                + daemon.pods.pods().size() + " pod(s) re-attached, socket " + options.socket()
                + (daemon.probeListener == null ? "" : ", metrics and probes on " + daemon.metricsAddress())
                + " (" + daemon.http.name() + ")"
                + (daemon.kubernetes != null ? ", cluster from the Kubernetes API" : ""));
        return daemon;
    }

    /**
     * The metrics/probe listener ({@code --metrics-address}). An address given on the command line must
     * be free (else start-up fails); the default one, when taken (a second daemon on the host), is
     * skipped with a warning.
     */
    private void startProbeListener() throws IOException {
        InetSocketAddress address = options.metricsAddress();
        if (address == null) {
            return;
        }
        ProbeEndpoint endpoint = new ProbeEndpoint(health, this::scrapeOnControlThread);
        try {
            probeListener = HttpListener.tcp(http, address, endpoint, ErrorBodies.PLAIN_TEXT, ListenerSettings.DEFAULTS);
        } catch (IOException e) {
            if (!address.equals(DaemonOptions.DEFAULT_METRICS_ADDRESS)) {
                throw e;
            }
            DaemonLog.warn("no metrics or probes: " + e.getMessage() + " (set --metrics-address)", null);
        }
    }

    private MetricSnapshots scrapeOnControlThread() throws Exception {
        DaemonMetrics m = metrics;
        if (m == null) {
            throw new IllegalStateException("podswitchd is starting");
        }
        return control.call(m::scrape, SCRAPE_TIMEOUT_MS);
    }

    /** Where /metrics, /healthz and /readyz are served (the bound port, also for port 0), or null. */
    public InetSocketAddress metricsAddress() {
        if (probeListener == null) {
            return null;
        }
        return new InetSocketAddress(options.metricsAddress().getAddress(), probeListener.port());
    }

    /**
     * The Prometheus metrics: parts of the daemon add families of their own here (docs/metrics.md);
     * null until start-up has built the switch.
     */
    public DaemonMetrics metrics() {
        return metrics;
    }

    private void build(ClusterConfig config) throws Exception {
        List<IpRange> ranges = podRanges(config);
        Files.createDirectories(options.stateDir());
        Ipam ipam = new Ipam(ranges, options.stateDir().resolve("ipam.state"));
        PodStore store = new PodStore(options.stateDir().resolve("pods.json"));
        int podMtu = podMtu(config);
        // With the API as the source, nodes join at any time: the uplink is always open.
        boolean clustered = config.fromKubernetes() || config.nodes().size() > 1;
        if (clustered) {
            podMtu = PodMtu.limitToUplink(podMtu, ClusterPeers.uplinkMtu(config), config);
        }

        engine = new SwitchEngine(options.engineConfig());
        DaemonLog.info("workers: " + engine.workerCount() + ", idle strategy " + options.idle() + ", TAP I/O " + engine.tapIo());
        for (Worker w : engine.workers()) {
            health.liveness().register(new ProgressCheck("worker-" + w.id(), "worker " + w.id() + " slow ticks",
                    w::publishedTicks, System::nanoTime, WORKER_STALL_NS));
        }
        health.liveness().register(new ProgressCheck("control", "control thread periodic runs", controlRuns::get,
                System::nanoTime, CONTROL_STALL_NS));
        egress = EgressManager.start(config, options.hostPortName());
        Attachment hostKey = new Attachment(HOST_CONTAINER_ID, options.hostPortName());
        List<InetAddress> hostAddresses = ipam.allocate(hostKey, List.of());
        long switchMac = PodMacs.derive("podswitch-switch", config.thisNodeName());
        host = HostPort.open(engine, options.hostPortName(), podMtu, switchMac, ranges, hostAddresses);
        host.routeServiceCidrs(serviceRanges(config));

        if (clustered) {
            cluster = ClusterPeers.open(engine, config, host);
        }

        Files.createDirectories(options.runDir());
        // Each tunnel peer has 4 counters per worker: a 5,000-node cluster needs room for them (the file is mapped
        // sparse: slots never written take no memory).
        statsFile = StatsFile.create(options.statsFile(),
                BASE_COUNTERS + 4 * SwitchEngine.PEER_CAPACITY * options.engineConfig().workers());
        publisher = new StatsPublisher(statsFile);
        counters = new DaemonCounters(publisher);
        for (CounterSource source : engine.counterSources()) {
            counters.register(source);
        }
        counters.register(new PortCounterSource(PortIdentity.host(options.hostPortName()), host.port()));
        if (cluster != null && cluster.uplinkPort() != null) {
            registerUplinkCounters(cluster.uplinkPort().attachment().port(), config.thisNode().uplink().interfaceName());
        }

        services = new ServiceManager(engine.serviceTable());
        ServiceManager.Change loaded = FileServices.apply(services, config);
        if (loaded.added() > 0) {
            DaemonLog.info("services: " + config.services().size() + " service(s), " + loaded.added() + " key(s) published");
        }
        counters.register(new ServiceCounterSource(engine.serviceTable()));
        // External and load-balancer IPs: kernel routes to the host TAP, and the AF_XDP uplink's XDP maps.
        ServiceAddressMaps addressMaps = cluster == null || cluster.uplinkPort() == null ? null
                : cluster.uplinkPort().attachment().serviceAddresses();
        services.externalAddresses(new ServiceAddressSteering(addressMaps, host::routeServiceAddress,
                host::unrouteServiceAddress));
        nodePortNotice.check(config, uplinkAttach(config));

        policy = new PolicyManager(engine.policyTables(), policyNode(config, hostAddresses));
        PolicyManager.Compilation compiled = policy.applyFile(config.networkPolicy());
        if (compiled.policies() > 0) {
            DaemonLog.info("network policy: " + compiled.policies() + " policies from " + options.config());
        }
        counters.register(new PolicyCounterSource(policy));
        DenyLogger denyLogger = new DenyLogger(policy, engine.denyLogs());

        steering = loadSteering(1 + engine.workerCount());
        pods = new PodManager(engine, ipam, store, switchMac, podMtu, counters, Set.of(hostKey), steering);
        pods.setListener(new PolicyPodListener(policy));
        int reattached = pods.recover();
        if (reattached > 0) {
            DaemonLog.info("re-attached " + reattached + " pod(s) from " + store.file());
        }
        stateReady.pass(reattached + " pod(s) re-attached from " + store.file());
        metrics = new DaemonMetrics(config.thisNodeName(), http == null ? "none" : http.name(), engine, counters, pods,
                cluster == null ? null : cluster.manager(), health);
        metrics.register(new PolicyMetrics(policy, engine.policyConnTracks()));
        dataPlaneWatch = new DataPlaneWatch(engine, host, cluster != null && cluster.uplinkPort() != null
                ? config.thisNode().uplink().interfaceName() : null, dataplaneReady);
        dataPlaneWatch.check();
        dataPlaneChecks = control.every(DataPlaneWatch.PERIOD_MS, dataPlaneWatch::check);
        counters.publish(System.currentTimeMillis());
        publishing = control.every(STATS_PERIOD_MS, () -> {
            controlRuns.incrementAndGet();
            counters.publish(System.currentTimeMillis());
            denyLogger.drain();
        });
        egressCheck = control.every(EgressManager.CHECK_PERIOD_MS, egress::check);
        if (cluster != null) {
            peerRefresh = control.every(PEER_REFRESH_MS, this::refreshPeers);
            // Neighbour, route and link changes refresh the peers at once (the periodic refresh is the
            // safety net for lost messages).
            kernelEvents = NetlinkMonitor.start(NetlinkMonitor.RTMGRP_NEIGH | NetlinkMonitor.RTMGRP_LINK
                    | NetlinkMonitor.RTMGRP_IPV4_ROUTE | NetlinkMonitor.RTMGRP_IPV6_ROUTE, 500,
                    this::refreshOnKernelEvent, "podswitch-netlink-events");
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        if (options.nodeName() != null) {
            env.put("NODE_NAME", options.nodeName());
        }
        reloader = new ConfigReloader(options.config(), env, config, cluster == null ? null : cluster.manager(), services,
                egress, policy);
    }

    /**
     * The uplink's counters, as before under their own names in the stats file, tagged with the uplink's
     * identity for the metrics. A port that names its own counters (AF_XDP: {@code port.<nic>.*} with
     * the kernel's {@code xsk.*} drops; the two-worker shared transmit port) keeps them; a UDP tunnel port
     * names only its {@code udp.*} details, so its traffic counters are added; any other port gets the
     * common ones.
     */
    private void registerUplinkCounters(io.podswitch.port.Port uplinkPort, String nic) {
        PortIdentity id = PortIdentity.uplink(nic);
        if (!(uplinkPort instanceof CounterSource own)) {
            counters.register(new PortCounterSource(id, uplinkPort));
            return;
        }
        counters.register(new IdentifiedPortCounters(id, "port." + uplinkPort.name() + ".", own));
        if (uplinkPort instanceof UdpTunnelPort) {
            counters.register(new PortCounterSource(id, uplinkPort));
        }
    }

    /** On the monitor's thread: run a refresh on the control thread and wait for it (coalesces bursts). */
    private void refreshOnKernelEvent() {
        try {
            control.call(() -> {
                refreshPeers();
                return null;
            }, 10_000);
        } catch (Exception e) {
            if (!closed) {
                DaemonLog.warn("peer refresh after a kernel event failed", e);
            }
        }
    }

    /** SIGHUP or a config file change: reload on the control thread (the outcome is logged there). */
    private void reloadFromTrigger(String trigger) {
        try {
            reload(trigger);
        } catch (Exception e) {
            DaemonLog.warn("reload (" + trigger + ") failed", e);
        }
    }

    /** How this node's uplink is attached: as opened (auto resolved), or as configured when no uplink runs. */
    private UplinkAttach uplinkAttach(ClusterConfig config) {
        return cluster != null ? cluster.attach() : config.thisNode().uplink().attach();
    }

    /** Reloads the cluster config on the control thread; see {@link ConfigReloader}. */
    public ReloadResult reload(String trigger) throws Exception {
        return control.call(() -> {
            ReloadResult result = reloader.reload(trigger);
            nodePortNotice.check(reloader.running(), uplinkAttach(reloader.running()));
            return result;
        }, STARTUP_TIMEOUT_MS);
    }

    /** Re-reads the kernel's routes and neighbours for the peers; a failure is logged, never fatal. */
    private void refreshPeers() {
        try {
            cluster.refresh();
        } catch (RuntimeException e) {
            DaemonLog.warn("peer refresh failed", e);
        }
    }

    private static String describe(List<IpRange> ranges) {
        List<String> out = new ArrayList<>();
        for (IpRange r : ranges) {
            out.add(io.podswitch.daemon.ipam.IpAddresses.format(r.networkAddress()) + "/" + r.prefixLength());
        }
        return String.join(", ", out);
    }

    /**
     * What NetworkPolicy needs to know about this node: its pod CIDRs (a pod with an address there is local)
     * and its own addresses — the host port's, the node's, the switch's hairpin SNAT sources — traffic between
     * which and local pods is always allowed (kubelet probes).
     */
    static PolicyCompiler.Node policyNode(ClusterConfig config, List<InetAddress> hostAddresses) {
        List<io.podswitch.config.cidr.IpAddress> own = new ArrayList<>(config.thisNode().addresses());
        for (InetAddress a : hostAddresses) {
            own.add(io.podswitch.config.cidr.IpAddress.parse(io.podswitch.daemon.ipam.IpAddresses.format(a)));
        }
        own.add(new io.podswitch.config.cidr.Ip4Address(HairpinAddresses.DEFAULTS.ipv4()));
        own.add(new io.podswitch.config.cidr.Ip6Address(HairpinAddresses.DEFAULTS.ipv6High(),
                HairpinAddresses.DEFAULTS.ipv6Low()));
        return new PolicyCompiler.Node(config.thisNode().podCidrs(), own);
    }

    /** The cluster's service CIDRs as ranges (routed from the node's kernel into the switch). */
    static List<IpRange> serviceRanges(ClusterConfig config) {
        List<IpRange> ranges = new ArrayList<>();
        for (Cidr cidr : config.serviceCidrs()) {
            ranges.add(new IpRange(AddressBits.inet(cidr.network()), cidr.prefixLength()));
        }
        return ranges;
    }

    static List<IpRange> podRanges(ClusterConfig config) {
        List<IpRange> ranges = new ArrayList<>();
        for (IpFamily family : config.ipFamilies()) {
            Cidr cidr = config.thisNode().podCidr(family).orElseThrow(() -> new IllegalStateException(
                    "node " + config.thisNodeName() + " has no " + family + " pod CIDR"));
            ranges.add(new IpRange(AddressBits.inet(cidr.network()), cidr.prefixLength()));
        }
        return ranges;
    }

    /** The overlay's pod MTU, capped to what a TAP frame holds. */
    static int podMtu(ClusterConfig config) {
        int mtu = config.overlay().podMtu();
        if (mtu > TapPortConfig.MAX_MTU) {
            DaemonLog.info("pod MTU " + mtu + " capped to " + TapPortConfig.MAX_MTU + " (TAP frames must fit 2 KiB)");
            return TapPortConfig.MAX_MTU;
        }
        return mtu;
    }

    public DaemonOptions options() {
        return options;
    }

    /**
     * The control API the socket serves: {@code bench control-api} puts the pre-Netty server in front of the
     * same handler, in the same daemon, to time both on real ADDs.
     */
    public ControlApi controlApi() {
        return api;
    }

    /** The Kubernetes source, or null with {@code source: file}. */
    public KubernetesSource kubernetes() {
        return kubernetes;
    }

    /**
     * The liveness and readiness checks behind {@code /healthz} and {@code /readyz}. Parts of the daemon
     * register theirs here (see {@link io.podswitch.daemon.health.HealthChecks#gate}); the daemon's own:
     * liveness {@code worker-N} and {@code control}, readiness {@code dataplane}, {@code state} and {@code api}.
     */
    public Health health() {
        return health;
    }

    /**
     * Stops serving, then on the control thread: closes the pod ports WITHOUT deleting their
     * persistent TAPs (pods keep their interfaces for the next start), removes the host port (and with
     * it the kernel routes), stops the workers, deletes the stats file. IPAM and the pod registry need
     * no flush: every change was on disk before it was acknowledged. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (reloadWarmup != null) {
            reloadWarmup.close();
        }
        if (reloadTriggers != null) {
            reloadTriggers.close();
        }
        if (kubernetes != null) {
            kubernetes.close(); // first: no informer event reaches tables being torn down
        }
        if (kernelEvents != null) {
            kernelEvents.close(); // before the control thread stops: its reader may be waiting on it
        }
        apiReady.fail("stopping");
        if (server != null) {
            server.close();
        }
        if (probeListener != null) {
            probeListener.close();
        }
        try {
            control.call(() -> {
                shutdownOnControlThread();
                return null;
            }, 30_000);
        } catch (Exception e) {
            DaemonLog.warn("shutdown incomplete", e);
        }
        control.close();
        if (http != null) {
            http.close();
        }
        DaemonLog.info("stopped");
    }

    /**
     * Pod TAPs with {@code queues} queues, sparse flows apart from heavy ones ({@link TapSteering}); one
     * queue per pod, with a warning, when the kernel refuses the steering program.
     */
    private static TapSteering loadSteering(int queues) {
        try {
            TapSteering loaded = TapSteering.load(queues);
            DaemonLog.info("pod TAPs: " + queues + " queues, sparse flows steered apart from heavy ones");
            return loaded;
        } catch (RuntimeException e) {
            DaemonLog.warn("pod TAPs: one queue each (an unpaced flow can crowd out a pod's other flows): the steering program did not load", e);
            return null;
        }
    }

    private void shutdownOnControlThread() {
        if (publishing != null) {
            publishing.cancel(false); // on the control thread: it cannot be running now, and never runs again
        }
        if (peerRefresh != null) {
            peerRefresh.cancel(false);
        }
        if (egressCheck != null) {
            egressCheck.cancel(false);
        }
        if (dataPlaneChecks != null) {
            dataPlaneChecks.cancel(false);
        }
        if (dataPlaneWatch != null) {
            dataPlaneWatch.close();
        }
        metrics = null;
        if (pods != null) {
            pods.closeAll();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (host != null) {
            host.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (steering != null) {
            steering.close(); // the pods' TAPs keep their own reference to the program
        }
        if (egress != null) {
            egress.close(); // after the workers stopped: no pod packet can leave unmasqueraded meanwhile
        }
        if (publisher != null) {
            publisher.close();
        }
        if (statsFile != null) {
            statsFile.close();
        }
    }
}
