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
 * The worker runs with the daemon's defaults ({@link BenchWorkers}: spins while busy, sleeps on the
 * queues' descriptors when idle; TAP reads and writes through its io_uring) on the first of the given
 * cores; TAP pods get two queues and the steering program, as podswitchd wires them with one worker.
 * IPv4 pods only.
 */
public final class L3SwitchPathSide implements SwitchPathSide {
    private static final SecureRandom IDS = new SecureRandom();
    private static final int TAP_FRAMES = 4096;
    /** 68 KiB frames for GSO super-frames from offloading TAPs (as podswitchd: 128 plus the ring's). */
    private static final int TAP_LARGE_FRAMES = 128 + ThreadRing.LARGE_BUFFERS;
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
        FrameSlab slab = kind == PortKind.AF_XDP ? new FrameSlab(AF_XDP_FRAMES)
                : FrameSlab.withLargeFrames(TAP_FRAMES, TAP_LARGE_FRAMES);
        List<PodAttachment> attached = new ArrayList<>();
        // As podswitchd wires pods: 1 + workers queues per TAP, sparse flows steered apart from heavy ones.
        TapSteering steering = kind == PortKind.TAP ? TapSteering.load(2) : null;
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
            L3Graph graph = new L3Graph(slab, new InterfaceTable(interfaces), tables.fib4(), tables.fib6(),
                    tables.adjacencies(), new NeighborTable(64), 0);
            WorkerConfig config = WorkerConfig.defaults().withIdleStrategy(BenchWorkers.idle()).withIoUring(BenchWorkers.ioUring())
                    .withCpu(cores.isEmpty() ? -1 : cores.getFirst());
            Worker worker = new Worker(0, config, pool, graph, new Qsbr(1));
            for (PodAttachment p : attached) {
                for (int q = 0; q < p.port().queueCount(); q++) {
                    worker.addRxQueue(p.port(), q);
                }
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            WorkerGroup group = WorkerGroup.start(List.of(worker), t -> failure.compareAndSet(null, t));
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
