package io.podswitch.perf.sides;

import io.podswitch.graph.Interface;
import io.podswitch.graph.InterfaceTable;
import io.podswitch.graph.L3Graph;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip4;
import io.podswitch.perf.bench.jvm.SubjectJvmLog;
import io.podswitch.perf.bench.side.PodEndpoint;
import io.podswitch.perf.bench.side.PortKind;
import io.podswitch.perf.bench.side.SwitchPath;
import io.podswitch.perf.bench.side.SwitchPathSide;
import io.podswitch.perf.report.Measurement;
import io.podswitch.port.afxdp.SlabUmem;
import io.podswitch.port.ring.ThreadRing;
import io.podswitch.port.tap.TapSteering;
import io.podswitch.nativeio.XskUmem;
import io.podswitch.worker.Qsbr;
import io.podswitch.worker.Worker;
import io.podswitch.worker.WorkerConfig;
import io.podswitch.worker.WorkerGroup;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * podswitch routing between two pods, the way it routes between real ones: each pod gets an
 * interface (a TAP inside its namespace with offloads on, as podswitchd attaches pods, or a veth whose switch end is an AF_XDP port), and one
 * worker runs the {@link L3Graph} over both ports.
 *
 * <pre>
 *   pod a: ifName a.ip/len ─┐                                   ┌─ ifName b.ip/len :pod b
 *   default via a.gateway   │  port 0 [worker: L3Graph] port 1  │  default via b.gateway
 *                           └─ owns a.gateway      owns b.gateway ─┘
 *   FIB: a.ip/32 → REWRITE(port 0, MAC of a)   b.ip/32 → REWRITE(port 1, MAC of b)
 *        a.gateway/32, b.gateway/32 → LOCAL (ARP and ping answered by the switch)
 * </pre>
 *
 * The workers run with the daemon's defaults ({@link BenchWorkers}: spin while busy, sleep on the
 * queues' descriptors when idle): with TAP pods one worker per given core (pinned to it; one unpinned
 * worker when none is given), wired as podswitchd {@code --workers N} wires pods — N + 1 queues per TAP
 * and the steering program (sparse flows in queue 0, heavy flows hashed over queues 1..N), the queues
 * handed to the workers round-robin over both ports, every worker with its own graph and neighbour
 * table, transmitting on queue 0. AF_XDP pods get one worker, on the first core. IPv4 pods only.
 */
public final class L3SwitchPathSide implements SwitchPathSide {
    private static final SecureRandom IDS = new SecureRandom();
    /** Normal frames per TAP worker (podswitchd's least {@code --frames} per worker). */
    private static final int TAP_FRAMES_PER_WORKER = 2048;
    /** 68 KiB frames for GSO super-frames from offloading TAPs (as podswitchd: 128 plus each worker's ring's). */
    private static final int TAP_LARGE_FRAMES = 128;
    /** Two fill rings of 2048 and two TX rings of 2048, the worker's cache and packets in flight. */
    private static final int AF_XDP_FRAMES = 16384;

    @Override
    public SwitchPath connect(PortKind kind, PodEndpoint a, PodEndpoint b, List<Integer> cores) throws Exception {
        SubjectJvmLog.inThisJvm(Measurement.PODSWITCH, "bench JVM: the switch's worker thread");
        PodEndpoint[] pods = {a, b};
        int[] podIps = new int[2];
        int[] gateways = new int[2];
        for (int i = 0; i < 2; i++) {
            podIps[i] = ip4(pods[i].ip(), pods[i]);
            gateways[i] = ip4(pods[i].gateway(), pods[i]);
            PodInterface.prefixLength(pods[i]);
        }
        int workers = kind == PortKind.TAP ? Math.max(1, cores.size()) : 1;
        FrameSlab slab = kind == PortKind.AF_XDP ? new FrameSlab(AF_XDP_FRAMES)
                : FrameSlab.withLargeFrames(Math.max(2, workers) * TAP_FRAMES_PER_WORKER,
                        TAP_LARGE_FRAMES + workers * ThreadRing.LARGE_BUFFERS);
        List<PodAttachment> attached = new ArrayList<>();
        // As podswitchd wires pods: 1 + workers queues per TAP, sparse flows steered apart from heavy ones.
        TapSteering steering = kind == PortKind.TAP ? TapSteering.load(1 + workers) : null;
        try {
            FramePool pool = new FramePool(slab);
            XskUmem umem = kind == PortKind.AF_XDP ? SlabUmem.over(slab) : null;
            String id = HexFormat.of().formatHex(IDS.generateSeed(2));
            for (int i = 0; i < 2; i++) {
                attached.add(kind == PortKind.TAP ? TapAttachment.open(i, pods[i], steering)
                        : AfXdpAttachment.open(i, pods[i], "psx" + id + (char) ('a' + i), umem, pool));
            }
            RoutingTables tables = RoutingTables.small();
            int local = tables.adjacencies().addLocal();
            Interface[] interfaces = new Interface[2];
            for (int i = 0; i < 2; i++) {
                PodAttachment p = attached.get(i);
                interfaces[i] = Interface.builder(p.port(), p.switchMac()).ip4(gateways[i]).build();
                tables.route4(podIps[i], 32, tables.adjacencies().addRewrite(i, p.podMac(), p.port().mtu()));
                tables.route4(gateways[i], 32, local);
            }
            InterfaceTable interfaceTable = new InterfaceTable(interfaces);
            Qsbr qsbr = new Qsbr(workers);
            List<Worker> workerList = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                // As SwitchEngine: a graph and a neighbour table per worker, every worker transmits on queue 0.
                L3Graph graph = new L3Graph(slab, interfaceTable, tables.fib4(), tables.fib6(),
                        tables.adjacencies(), new NeighborTable(64), 0);
                WorkerConfig config = WorkerConfig.defaults().withIdleStrategy(BenchWorkers.idle())
                        .withIoUring(BenchWorkers.ioUring()).withCpu(cores.size() > w ? cores.get(w) : -1);
                workerList.add(new Worker(w, config, pool, graph, qsbr));
            }
            int next = 0;
            for (PodAttachment p : attached) {
                for (int q = 0; q < p.port().queueCount(); q++) {
                    workerList.get(next).addRxQueue(p.port(), q); // round-robin over both ports, as SwitchEngine.attachPort
                    next = (next + 1) % workers;
                }
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            WorkerGroup group = WorkerGroup.start(workerList, t -> failure.compareAndSet(null, t));
            return new L3SwitchPath(group, attached, slab, steering, failure);
        } catch (Exception e) {
            L3SwitchPath.release(attached, slab, steering, e);
            throw e;
        }
    }

    private static int ip4(String literal, PodEndpoint pod) {
        if (literal.indexOf(':') >= 0) {
            throw new IllegalArgumentException("pod " + pod.netns() + ": only IPv4 pods are bound, got " + literal);
        }
        return Ip4.parse(literal);
    }
}
