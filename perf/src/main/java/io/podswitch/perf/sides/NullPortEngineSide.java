package io.podswitch.perf.sides;

import io.podswitch.graph.Interface;
import io.podswitch.graph.InterfaceTable;
import io.podswitch.graph.L3Graph;
import io.podswitch.graph.PacketProcessor;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.perf.bench.jvm.SubjectJvmLog;
import io.podswitch.perf.bench.side.EngineMode;
import io.podswitch.perf.bench.side.EngineRun;
import io.podswitch.perf.bench.side.EngineSide;
import io.podswitch.perf.bench.side.EngineWorkload;
import io.podswitch.perf.report.Measurement;
import io.podswitch.port.Port;
import io.podswitch.port.generator.GeneratorPort;
import io.podswitch.port.generator.UdpTemplate;
import io.podswitch.worker.Qsbr;
import io.podswitch.worker.Worker;
import io.podswitch.worker.WorkerConfig;
import io.podswitch.worker.WorkerGroup;
import io.podswitch.worker.forward.IoForward;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine on null ports, as {@code dpdk-testpmd} runs on two {@code net_null} ports per core:
 * worker w owns generator ports 2w and 2w+1 (each port's RX synthesises UDP frames, its TX is a
 * counting sink) and forwards between them on its own thread, pinned to the workload's cores in
 * order.
 *
 * <pre>
 *   IO:      gen 2w ──► IoForward ──► sink 2w+1      (and 2w+1 → 2w), frames untouched
 *   IP4/IP6: gen 2w ──► L3Graph: ethernet-input → ip-input → ip-lookup (FIB) → ip-rewrite
 *                       → interface-output ──► sink 2w+1 (REWRITE adjacency: host route of the peer port)
 * </pre>
 *
 * IO mode hands out frames without writing them, like net_null's default ({@code copy=0}); the
 * routing modes must parse real headers, so their generator writes the whole template into every
 * frame (a cost testpmd's macswap baseline does not pay). Burst 32, testpmd's default. The forwarded
 * count is the sinks' TX counter over a window that opens once every worker runs; CPU time is the
 * worker threads' over the same window.
 */
public final class NullPortEngineSide implements EngineSide {
    static final int BURST = 32;
    private static final int FLOWS = 1024;
    private static final int FIRST_SOURCE_PORT = 1024;
    private static final int UDP_PORT = 9;
    private static final int FRAMES_PER_WORKER = 4096;
    private static final long START_TIMEOUT_NANOS = 10_000_000_000L;

    /** Tables by (family, routes, seed): built once per process, see {@link EngineTables}. */
    private final Map<String, EngineTables> tables = new HashMap<>();

    @Override
    public EngineRun forward(EngineWorkload workload, Duration duration) throws Exception {
        return forward(workload, Long.MAX_VALUE, duration);
    }

    /**
     * A counted run, for tests: every generator port produces exactly {@code framesPerPort} frames;
     * the run ends once the sinks counted all of them, or once every port generated its share and
     * every worker completed two slow ticks after that (so nothing is in flight: a shortfall is a
     * drop). No clock decides the outcome, so a loaded machine only makes it slower.
     */
    EngineRun forwardFrames(EngineWorkload workload, long framesPerPort) throws Exception {
        if (framesPerPort < 1 || framesPerPort == Long.MAX_VALUE) {
            throw new IllegalArgumentException("framesPerPort must be in [1, Long.MAX_VALUE): " + framesPerPort);
        }
        return forward(workload, framesPerPort, Duration.ZERO);
    }

    private EngineRun forward(EngineWorkload workload, long framesPerPort, Duration duration) throws Exception {
        SubjectJvmLog.inThisJvm(Measurement.PODSWITCH, "bench JVM: the engine's worker threads");
        int workers = workload.workers();
        EngineMode mode = workload.mode();
        EngineTables routing = mode == EngineMode.IO ? null : tables(mode == EngineMode.IP6, workload.routes(),
                workload.seed());
        if (routing != null) {
            routing.ensurePorts(2 * workers);
        }
        try (FrameSlab slab = new FrameSlab(FRAMES_PER_WORKER * workers)) {
            FramePool pool = new FramePool(slab);
            GeneratorPort[] ports = new GeneratorPort[2 * workers];
            for (int p = 0; p < ports.length; p++) {
                ports[p] = new GeneratorPort(p, "null" + p, 1, slab, template(mode, p, workload.packetSize()), FLOWS,
                        framesPerPort, mode != EngineMode.IO);
            }
            InterfaceTable interfaces = new InterfaceTable(Math.max(1, ports.length));
            for (GeneratorPort port : ports) {
                interfaces.put(Interface.builder(port, EngineTables.interfaceMac(port.id())).mtu(EngineTables.MTU).build());
            }
            Qsbr qsbr = new Qsbr(workers);
            List<Worker> list = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                Port a = ports[2 * w];
                Port b = ports[2 * w + 1];
                PacketProcessor processor = routing == null
                        ? new IoForward(slab, new Port[] {a, b}, 0, BURST)
                        : new L3Graph(slab, interfaces, routing.tables().fib4(), routing.tables().fib6(),
                                routing.tables().adjacencies(), new NeighborTable(64), 0);
                int cpu = workload.cores().isEmpty() ? -1 : workload.cores().get(w % workload.cores().size());
                WorkerConfig config = WorkerConfig.defaults().withBurstSize(BURST).withIdleStrategy("noop").withCpu(cpu);
                Worker worker = new Worker(w, config, pool, processor, qsbr);
                worker.addRxQueue(a, 0);
                worker.addRxQueue(b, 0);
                list.add(worker);
            }
            return framesPerPort == Long.MAX_VALUE ? run(list, ports, duration) : runCounted(list, ports, framesPerPort);
        }
    }

    private EngineTables tables(boolean ip6, int routes, long seed) {
        return tables.computeIfAbsent((ip6 ? "ip6/" : "ip4/") + routes + "/" + seed,
                key -> EngineTables.build(ip6, routes, seed));
    }

    /**
     * What port p generates: for the routing modes, a frame to the switch's MAC on p addressed to
     * the host route of p's peer; 64 B means a 60-byte frame (the FCS is the wire's). An IPv6/UDP
     * frame needs at least 62 bytes, so IP6 at 64 B sends 62-byte frames.
     */
    static UdpTemplate template(EngineMode mode, int port, int packetSize) {
        int peer = port ^ 1;
        int frame = packetSize - 4;
        long src = EngineTables.nextHopMac(port);
        long dst = EngineTables.interfaceMac(port);
        if (mode == EngineMode.IP6) {
            return UdpTemplate.ipv6(src, dst, EngineTables.source6High(port), 2, EngineTables.destination6High(peer),
                    EngineTables.DESTINATION6_LOW, FIRST_SOURCE_PORT, UDP_PORT, Math.max(62, frame));
        }
        return UdpTemplate.ipv4(src, dst, EngineTables.source4(port), EngineTables.destination4(peer),
                FIRST_SOURCE_PORT, UDP_PORT, Math.max(42, frame));
    }

    private static EngineRun run(List<Worker> workers, GeneratorPort[] ports, Duration duration) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        WorkerGroup group = WorkerGroup.start(workers, t -> failure.compareAndSet(null, t));
        try {
            awaitRunning(workers, failure);
            List<Thread> threads = group.threads();
            long cpu0 = WorkerCpuTime.of(threads);
            long tx0 = transmitted(ports);
            long t0 = System.nanoTime();
            long[] ticks0 = ticks(workers);
            Thread.sleep(duration);
            // The window lasts the duration and at least until every worker has run two slow ticks
            // in it: on a starved machine a worker may not have been scheduled at all in the window.
            awaitTicks(workers, ticks0, 2, failure);
            long tx1 = transmitted(ports);
            long t1 = System.nanoTime();
            long cpu1 = WorkerCpuTime.of(threads);
            if (failure.get() != null) {
                throw new IllegalStateException("worker failed: " + failure.get(), failure.get());
            }
            return new EngineRun(tx1 - tx0, Math.max(1, t1 - t0), Math.max(0, cpu1 - cpu0));
        } finally {
            group.close();
        }
    }

    private static EngineRun runCounted(List<Worker> workers, GeneratorPort[] ports, long framesPerPort)
            throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long expected = framesPerPort * ports.length;
        WorkerGroup group = WorkerGroup.start(workers, t -> failure.compareAndSet(null, t));
        try {
            List<Thread> threads = group.threads();
            long t0 = System.nanoTime();
            awaitRunning(workers, failure);
            long[] ticks0 = ticks(workers);
            while (transmitted(ports) < expected && !generatedAll(ports, framesPerPort)) {
                checkFailure(failure);
                Thread.sleep(1);
            }
            // Every frame is generated (or already counted): two more slow ticks of every worker
            // flush anything still in flight, and make sure each worker ran since it started.
            awaitTicks(workers, ticks0, 2, failure);
            long[] ticks1 = ticks(workers);
            awaitTicks(workers, ticks1, 2, failure);
            long tx = transmitted(ports);
            long t1 = System.nanoTime();
            long cpu = WorkerCpuTime.of(threads);
            checkFailure(failure);
            return new EngineRun(tx, Math.max(1, t1 - t0), Math.max(0, cpu));
        } finally {
            group.close();
        }
    }

    private static boolean generatedAll(GeneratorPort[] ports, long framesPerPort) {
        for (GeneratorPort p : ports) {
            if (p.counters().rxPackets() < framesPerPort) { // rx counts what the generator made
                return false;
            }
        }
        return true;
    }

    private static long[] ticks(List<Worker> workers) {
        long[] ticks = new long[workers.size()];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = workers.get(i).publishedTicks();
        }
        return ticks;
    }

    /** Waits (no deadline: a worker that ticks at all gets there) until every worker ticked {@code more} times. */
    private static void awaitTicks(List<Worker> workers, long[] since, int more, AtomicReference<Throwable> failure)
            throws Exception {
        for (int i = 0; i < since.length; i++) {
            while (workers.get(i).publishedTicks() < since[i] + more) {
                checkFailure(failure);
                Thread.sleep(1);
            }
        }
    }

    private static void checkFailure(AtomicReference<Throwable> failure) {
        if (failure.get() != null) {
            throw new IllegalStateException("worker failed: " + failure.get(), failure.get());
        }
    }

    /** Waits until every worker has completed a slow tick (so it runs, pinned), or fails. */
    private static void awaitRunning(List<Worker> workers, AtomicReference<Throwable> failure) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        for (Worker w : workers) {
            while (w.publishedTicks() == 0) {
                if (failure.get() != null) {
                    throw new IllegalStateException("worker " + w.id() + " failed to start: " + failure.get(),
                            failure.get());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("worker " + w.id() + " did not start within 10 s");
                }
                Thread.sleep(1);
            }
        }
    }

    private static long transmitted(GeneratorPort[] ports) {
        long sum = 0;
        for (GeneratorPort p : ports) {
            sum += p.counters().txPackets();
        }
        return sum;
    }
}
