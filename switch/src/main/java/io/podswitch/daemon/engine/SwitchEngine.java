package io.podswitch.daemon.engine;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip4Fib;
import io.podswitch.fib.Ip6Fib;
import io.podswitch.graph.GraphPolicy;
import io.podswitch.graph.GraphServices;
import io.podswitch.graph.Interface;
import io.podswitch.graph.InterfaceTable;
import io.podswitch.graph.L3Graph;
import io.podswitch.graph.L3GraphConfig;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.overlay.OverlayCounters;
import io.podswitch.overlay.PeerTable;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.policy.DenyLog;
import io.podswitch.policy.PolicyConnTrack;
import io.podswitch.policy.PolicyTables;
import io.podswitch.port.Port;
import io.podswitch.service.ConnTrackTimeouts;
import io.podswitch.service.HairpinAddresses;
import io.podswitch.service.ServiceConnTrack;
import io.podswitch.service.ServiceTable;
import io.podswitch.service.SessionAffinity;
import io.podswitch.stats.CounterSource;
import io.podswitch.worker.Qsbr;
import io.podswitch.port.ring.ThreadRing;
import io.podswitch.worker.RxQueueCommand;
import io.podswitch.worker.Worker;
import io.podswitch.worker.WorkerConfig;
import io.podswitch.worker.WorkerGroup;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The data path as the daemon runs it: one frame slab and pool, the shared tables (interfaces,
 * adjacencies, IPv4/IPv6 FIBs), one {@link L3Graph} per worker, the workers and their QSBR.
 *
 * <p>Control thread only (every method but {@link #counterSources()}'s sources): the tables have one
 * writer, and this class is that writer. Workers read the tables lock-free; whatever is unpublished
 * is reused or closed only after a QSBR grace period (see {@link #detachPort}).
 */
public final class SwitchEngine implements AutoCloseable {
    /** A worker that takes longer than this to pass a quiescent point is stuck: fail loudly. */
    private static final long GRACE_TIMEOUT_MS = 5_000;
    private static final int NEIGHBORS_PER_FAMILY = 4096;
    /**
     * Tunnel peers (other nodes) a daemon holds at once: Kubernetes' 5,000-node threshold with room to spare
     * (32 bytes of counters per peer and worker; ids are reused only once all were used, see PeerIds).
     */
    public static final int PEER_CAPACITY = 8192;

    private final FrameSlab slab;
    private final FramePool pool;
    private final PeerTable peers = new PeerTable(PEER_CAPACITY);
    private final InterfaceTable interfaces;
    private final AdjacencyTable adjacencies;
    private final Ip4Fib fib4;
    private final Ip6Fib fib6;
    private final Qsbr qsbr;
    private final ServiceTable serviceTable;
    private final PolicyTables policyTables;
    private final PolicyConnTrack[] policyTracks;
    private final List<DenyLog> denyLogs = new ArrayList<>();
    private final List<L3Graph> graphs = new ArrayList<>();
    private final List<Worker> workers = new ArrayList<>();
    private final WorkerGroup group;
    private final BitSet usedPortIds = new BitSet();
    private final int maxPorts;
    private int nextWorker;
    /** Port id → the worker polling each of its receive queues (control thread only). */
    private final java.util.Map<Integer, int[]> queuePollers = new java.util.HashMap<>();
    private boolean closed;
    /** Each worker's service flow table (its owner writes it; every worker looks replies up in all). */
    private final ServiceConnTrack[] serviceTracks;

    /** Large frames in flight through the graph (TAP receive borrows one per burst without a ring). */
    static final int LARGE_FRAMES = 128;
    /**
     * Most service keys (each ClusterIP/port, node port and external IP/port of every service is one): the
     * table grows with what it holds, up to this (10,000 dual-stack services with two ports, node ports and
     * external IPs are about 100,000).
     */
    static final int SERVICE_KEYS = 1 << 20;
    /** ClientIP affinity entries per worker; the table timeout is the longest a service may ask for (1 day). */
    static final int AFFINITY_CLIENTS_PER_WORKER = 16_384;
    static final long AFFINITY_TABLE_TIMEOUT_NANOS = 86_400_000_000_000L;
    /** Conntrack records and affinity slots each worker examines per slow tick. */
    static final int SERVICE_SWEEP_BUDGET = 1024;
    /** Connections each worker's policy table tracks (about 90 bytes each: 6 MiB per worker). */
    static final int POLICY_FLOWS_PER_WORKER = 65_536;
    /** NetworkPolicies with counters of their own (more are enforced, sharing the last id's counters). */
    static final int POLICY_IDS = 16_384;
    /** Deny-log samples a worker writes per second, and its ring (the control thread drains it twice a second). */
    static final int DENY_LOG_PER_SECOND = 20;
    static final int DENY_LOG_CAPACITY = 64;
    /** Most receive queues of a multi-queue uplink (an AF_XDP socket on each active NIC queue, up to 16). */
    static final int UPLINK_RX_QUEUES = 16;

    /**
     * Receive queues one worker may have to poll: pod TAPs have one queue per worker plus one with flow
     * steering (the daemon's {@code TapSteering}), all spread round-robin, so the whole switch polls up to
     * {@code maxPorts × (workers + 1)} of them, plus a multi-queue uplink's. Sized as if one worker got them
     * all (the table is two arrays): with one per port, a one-worker node failed every ADD past half its
     * {@code --max-pods} ("worker 0 did not take queue 1 of port eth0" at pod 65 of 128 in bench cni).
     */
    static int rxQueuesPerWorker(EngineConfig config) {
        return config.maxPorts() * (config.workers() + 1) + UPLINK_RX_QUEUES;
    }

    public SwitchEngine(EngineConfig config) {
        this.maxPorts = config.maxPorts();
        // Large frames carry the 64 KiB TCP super-frames of pod TAPs with offloads (see nativeio.md);
        // TAP receive borrows one per burst, so a few hundred serve every pod of a node.
        // With io_uring each worker also lends the kernel ThreadRing.LARGE_BUFFERS of them to read into.
        slab = FrameSlab.withLargeFrames(config.frames(),
                LARGE_FRAMES + (config.ioUring() ? config.workers() * ThreadRing.LARGE_BUFFERS : 0));
        pool = new FramePool(slab);
        interfaces = new InterfaceTable(config.maxPorts());
        // Pods: a REWRITE each (twice while one is replaced); peers: one each, two while the uplink MTU changes.
        adjacencies = new AdjacencyTable(2 * config.maxPorts() * 2 + 2 * PEER_CAPACITY + 64);
        // Routes longer than /24 need tbl8 groups (1 KiB each): one per /24 holding pods (/32s) or other nodes'
        // addresses (/32s: the nodes of a large cluster spread over a few hundred /24s at most).
        fib4 = new Ip4Fib(1024);
        // Pod /128s each need up to 13 groups on their own path; the pods of one /64 share most of it.
        fib6 = new Ip6Fib(4 * config.maxPorts() + 256);
        qsbr = new Qsbr(config.workers());
        WorkerConfig workerConfig = WorkerConfig.defaults()
                .withIdleStrategy(config.idleStrategy())
                .withCacheCapacity(EngineConfig.WORKER_CACHE_FRAMES);
        workerConfig = new WorkerConfig(workerConfig.burstSize(), rxQueuesPerWorker(config), workerConfig.tickCycles(),
                workerConfig.tickIntervalNs(), workerConfig.commandsPerTick(), workerConfig.commandQueueCapacity(),
                workerConfig.cacheCapacity(), workerConfig.cpu(), workerConfig.idleStrategy(), config.ioUring());
        serviceTable = new ServiceTable(SERVICE_KEYS, config.workers());
        serviceTracks = new ServiceConnTrack[config.workers()];
        for (int i = 0; i < config.workers(); i++) {
            serviceTracks[i] = new ServiceConnTrack("service-conntrack", config.serviceFlows(),
                    ConnTrackTimeouts.DEFAULTS);
        }
        policyTables = new PolicyTables(POLICY_IDS, config.workers());
        policyTracks = new PolicyConnTrack[config.workers()];
        for (int i = 0; i < config.workers(); i++) {
            policyTracks[i] = new PolicyConnTrack("policy-conntrack", POLICY_FLOWS_PER_WORKER, ConnTrackTimeouts.DEFAULTS);
            denyLogs.add(new DenyLog(DENY_LOG_CAPACITY, DENY_LOG_PER_SECOND));
        }
        for (int i = 0; i < config.workers(); i++) {
            GraphServices services = new GraphServices(serviceTable, serviceTracks, i,
                    new SessionAffinity("service-affinity", AFFINITY_CLIENTS_PER_WORKER, 64,
                            AFFINITY_TABLE_TIMEOUT_NANOS), HairpinAddresses.DEFAULTS, SERVICE_SWEEP_BUDGET);
            GraphPolicy policy = new GraphPolicy(policyTables, policyTracks, i, denyLogs.get(i), SERVICE_SWEEP_BUDGET);
            // Every worker transmits on its own TAP queue index 0: the TAP ports have one queue, and a
            // TAP fd tolerates writers from several threads (each write is one whole frame).
            L3Graph graph = new L3Graph(slab, interfaces, fib4, fib6, adjacencies,
                    new NeighborTable(NEIGHBORS_PER_FAMILY), 0, L3GraphConfig.DEFAULTS, peers, services, policy);
            graphs.add(graph);
            workers.add(new Worker(i, workerConfig, pool, graph, qsbr));
        }
        group = WorkerGroup.start(workers, Throwable::printStackTrace);
    }

    /**
     * How the workers do their TAP I/O, once they have started (waits up to 2 s for them): "io_uring",
     * or "read/write system calls" with the kernel's reason when it refused a ring.
     */
    public String tapIo() {
        long deadline = System.nanoTime() + 2_000_000_000L;
        StringBuilder refused = new StringBuilder();
        int rings = 0;
        for (Worker w : workers) {
            while (w.tapIo() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            String io = w.tapIo();
            if ("io_uring".equals(io)) {
                rings++;
            } else if (io != null && refused.isEmpty()) {
                refused.append(io);
            }
        }
        return rings == workers.size() ? "io_uring (one ring per worker)"
                : rings > 0 ? rings + " of " + workers.size() + " workers on io_uring; others " + refused
                : refused.isEmpty() ? "unknown (workers not started)" : refused.toString();
    }

    public FrameSlab slab() {
        return slab;
    }

    public FramePool pool() {
        return pool;
    }

    /** The tunnel peers every worker's graph encapsulates for (written here, on the control thread). */
    public PeerTable peers() {
        return peers;
    }

    /**
     * One peer's tunnel counters summed over the workers, in {@link OverlayCounters} order:
     * encap packets, encap bytes, decap packets, decap bytes.
     */
    public long[] peerCounters(int peerId) {
        long[] sum = new long[4];
        for (L3Graph graph : graphs) {
            OverlayCounters c = graph.overlayCounters();
            sum[0] += c.encapPackets(peerId);
            sum[1] += c.encapBytes(peerId);
            sum[2] += c.decapPackets(peerId);
            sum[3] += c.decapBytes(peerId);
        }
        return sum;
    }

    /** Zeroes a peer id's tunnel counters in every worker (an id no worker uses any more: see {@link OverlayCounters#reset}). */
    public void resetPeerCounters(int peerId) {
        for (L3Graph graph : graphs) {
            graph.overlayCounters().reset(peerId);
        }
    }

    /** Overlay drops of one reason summed over the workers ({@code encap} or decap reasons). */
    public long overlayDrops(boolean encap, int reason) {
        long sum = 0;
        for (L3Graph graph : graphs) {
            OverlayCounters c = graph.overlayCounters();
            sum += encap ? c.encapDrops(reason) : c.decapDrops(reason);
        }
        return sum;
    }

    public InterfaceTable interfaces() {
        return interfaces;
    }

    public AdjacencyTable adjacencies() {
        return adjacencies;
    }

    public Ip4Fib fib4() {
        return fib4;
    }

    public Ip6Fib fib6() {
        return fib6;
    }

    /** The services the workers balance (written by the daemon's ServiceManager, control thread). */
    public ServiceTable serviceTable() {
        return serviceTable;
    }

    /** The NetworkPolicy tables the workers enforce (written by the daemon's PolicyManager, control thread). */
    public PolicyTables policyTables() {
        return policyTables;
    }

    /** Each worker's deny log (drained by the control thread). */
    /** Each worker's policy connection table (index = worker), for counters and metrics. */
    public List<PolicyConnTrack> policyConnTracks() {
        return List.of(policyTracks);
    }

    public List<DenyLog> denyLogs() {
        return List.copyOf(denyLogs);
    }

    public List<L3Graph> graphs() {
        return List.copyOf(graphs);
    }

    public int workerCount() {
        return workers.size();
    }

    /** The workers, in id order (their published counters are readable from any thread). */
    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** Are all worker threads alive? */
    public boolean running() {
        if (closed) {
            return false;
        }
        for (Thread t : group.threads()) {
            if (!t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** Workers and graphs (each graph's counters prefixed with its worker), for the stats file. */
    /** Service flows each worker can track ({@link EngineConfig#serviceFlows()}). */
    public int serviceFlowsPerWorker() {
        return serviceTracks[0].capacity();
    }

    public List<CounterSource> counterSources() {
        List<CounterSource> sources = new ArrayList<>(group.counterSources());
        for (int i = 0; i < graphs.size(); i++) {
            sources.add(new PrefixedCounters("worker." + i + ".", graphs.get(i)));
        }
        return sources;
    }

    /** The lowest free port id. @throws IllegalStateException when every id is in use */
    public int allocatePortId() {
        int id = usedPortIds.nextClearBit(0);
        if (id >= maxPorts) {
            throw new IllegalStateException("all " + maxPorts + " port ids are in use");
        }
        usedPortIds.set(id);
        return id;
    }

    /** Returns a port id; only after its port is detached (no worker can see it any more). */
    public void releasePortId(int id) {
        usedPortIds.clear(id);
    }

    /**
     * Publishes the interface and gives the port's receive queues to the next workers, round-robin
     * (queue 0 to the first; a multi-queue uplink spreads over the workers).
     * @return the worker that polls queue 0
     * @throws IllegalStateException when a worker refuses (its RX table is full) or does not answer;
     *     queues already given are taken back
     */
    public int attachPort(Interface iface) {
        interfaces.put(iface);
        Port port = iface.port();
        int[] pollers = new int[port.queueCount()];
        for (int q = 0; q < pollers.length; q++) {
            int worker = nextWorker;
            nextWorker = (nextWorker + 1) % workers.size();
            RxQueueCommand add = RxQueueCommand.add(port, q);
            if (!runCommand(worker, add) || !add.succeeded()) {
                for (int taken = 0; taken < q; taken++) {
                    runCommand(pollers[taken], RxQueueCommand.remove(port, taken));
                }
                interfaces.remove(iface.id());
                quiesce();
                throw new IllegalStateException("worker " + worker + " did not take queue " + q + " of port " + port.name());
            }
            pollers[q] = worker;
        }
        queuePollers.put(port.id(), pollers);
        return pollers[0];
    }

    /**
     * Takes a port out of the data path so that it may be closed. The caller has already deleted the
     * routes pointing at it. {@code worker} is the one {@link #attachPort} returned (the pollers of
     * every queue are known here). Order (each step makes the next one safe):
     * <ol>
     *   <li>remove every RX queue from its worker and wait until each applied it — nobody receives
     *       from the port any more;</li>
     *   <li>grace period — no worker is still inside a burst that looked the port up;</li>
     *   <li>unpublish the interface — new lookups of its id find nothing (frames still buffered for
     *       it are dropped and counted);</li>
     *   <li>grace period — no worker still holds the old {@code Interface}; the caller may close the
     *       port and release its adjacencies and id.</li>
     * </ol>
     * @throws IllegalStateException when a worker does not answer (stuck): the port must then stay open
     */
    public void detachPort(Port port, int worker) {
        int[] pollers = queuePollers.getOrDefault(port.id(), new int[] {worker});
        for (int q = 0; q < pollers.length; q++) {
            if (!runCommand(pollers[q], RxQueueCommand.remove(port, q))) {
                // Closing the port now could let the worker read a reused descriptor number: refuse.
                throw new IllegalStateException("worker " + pollers[q] + " did not release queue " + q + " of port "
                        + port.name() + " within " + GRACE_TIMEOUT_MS + " ms");
            }
        }
        queuePollers.remove(port.id());
        quiesce();
        interfaces.remove(port.id());
        quiesce();
    }

    /**
     * Waits for one QSBR grace period, then reclaims the FIB groups retired before it. Call after
     * unpublishing anything (routes, interfaces) and before reusing what was unpublished.
     */
    public void quiesce() {
        long epoch4 = fib4.epoch();
        long epoch6 = fib6.epoch();
        if (!qsbr.synchronize(GRACE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("a worker did not pass a quiescent point within "
                    + GRACE_TIMEOUT_MS + " ms");
        }
        fib4.reclaim(epoch4);
        fib6.reclaim(epoch6);
    }

    /** Offers a command and waits until the worker applied it. @return false on timeout */
    private boolean runCommand(int worker, RxQueueCommand command) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_TIMEOUT_MS);
        while (!workers.get(worker).commands().offer(command)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.onSpinWait();
        }
        while (!command.isDone()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleepBriefly();
        }
        return true;
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(0, 200_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a worker", e);
        }
    }

    /** Stops the workers (each flushes and returns its frames), then frees the slab. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        group.close();
        for (Thread t : group.threads()) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        slab.close();
    }
}
