package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.TestpmdForwarder;
import io.podswitch.perf.bench.side.PodEndpoint;
import io.podswitch.perf.bench.side.PortKind;
import io.podswitch.perf.bench.side.SwitchPath;
import io.podswitch.perf.bench.side.SwitchPathSide;
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.ForwardPath;
import io.podswitch.perf.topo.KernelRouterTopology;
import io.podswitch.perf.topo.LinuxBridgeTopology;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Who forwards between the generator and the sink namespace: podswitch (through a
 * {@link SwitchPathSide}), the kernel as a router, or a Linux bridge. Builds the path inside a
 * {@link Topology} the caller closes.
 */
sealed interface PathSubject {

    /** Second octet of the bench subnets (10.201.x.y); private to the namespaces, never the host. */
    int NET = 201;

    String name();

    Built build(Topology topology) throws Exception;

    /**
     * A path ready for traffic.
     *
     * @param forwarderCpu CPU time of the forwarding process so far, when it is one (podswitch,
     *                     testpmd); empty for the kernel, whose work is spread over softirqs
     * @param forwarder    stops what build started beyond the namespaces (switch path, testpmd)
     */
    record Built(ForwardPath path, Optional<LongSupplier> forwarderCpu, AutoCloseable forwarder) {
        static Built kernel(ForwardPath path) {
            return new Built(path, Optional.empty(), () -> { });
        }

        /**
         * The path from pod {@code a} to pod {@code b} through a userspace {@code forwarder}, once {@code a}
         * reaches {@code b}; {@code nextHop} is the address whose MAC {@code a} sends to (its gateway, or
         * {@code b} on one subnet). Closes the forwarder when the path does not work.
         */
        static Built through(String what, PodEndpoint a, PodEndpoint b, String nextHop, SwitchPath forwarder)
                throws Exception {
            try {
                if (!Topology.ping(a.netns(), b.ip())) {
                    throw new IOException(what + ": " + b.ip() + " not reachable from " + a.netns());
                }
                ForwardPath fp = new ForwardPath(a.netns(), a.ifName(), Topology.mac(a.netns(), a.ifName()), a.ip(),
                        Topology.neighbourMac(a.netns(), nextHop), b.ip(), b.netns(), b.ifName());
                return new Built(fp, Optional.of(forwarder::cpuNanos), forwarder);
            } catch (Exception e) {
                forwarder.close();
                throw e;
            }
        }

        long cpuNanos() {
            return forwarderCpu.map(LongSupplier::getAsLong).orElse(0L);
        }
    }

    /** podswitch with one worker per core of {@code cores} (TAP pods; see {@code L3SwitchPathSide}). */
    record Podswitch(SwitchPathSide side, PortKind kind, List<Integer> cores) implements PathSubject {
        /** One worker, on the first of {@code cores}: the forwarding and latency scenarios measure a worker's share. */
        static Podswitch oneWorker(SwitchPathSide side, PortKind kind, List<Integer> cores) {
            return new Podswitch(side, kind, cores.isEmpty() ? cores : cores.subList(0, 1));
        }

        @Override
        public String name() {
            return "podswitch";
        }

        @Override
        public Built build(Topology t) throws Exception {
            String a = t.netns("pa");
            String b = t.netns("pb");
            PodEndpoint pa = new PodEndpoint(a, "eth0", "10." + NET + ".1.2/24", "10." + NET + ".1.1");
            PodEndpoint pb = new PodEndpoint(b, "eth0", "10." + NET + ".2.2/24", "10." + NET + ".2.1");
            return Built.through("podswitch " + kind.parameter() + " path", pa, pb, pa.gateway(),
                    side.connect(kind, pa, pb, cores));
        }
    }

    /**
     * The TAP floor ({@link io.podswitch.perf.sides.TapFloor}): podswitch's TAP ports with one pump thread
     * per core of {@code cores} and nothing else — a measuring instrument for what any TAP data plane
     * must spend. Both pods in one subnet (the floor rewrites nothing, ARP passes through).
     */
    record TapFloor(List<Integer> cores) implements PathSubject {
        @Override
        public String name() {
            return "tap-floor";
        }

        @Override
        public Built build(Topology t) throws Exception {
            String a = t.netns("fa");
            String b = t.netns("fb");
            String p = "10." + NET + ".1.";
            PodEndpoint pa = new PodEndpoint(a, "eth0", p + "2/24", p + "1");
            PodEndpoint pb = new PodEndpoint(b, "eth0", p + "3/24", p + "1");
            return Built.through("TAP floor", pa, pb, pb.ip(), io.podswitch.perf.sides.TapFloor.connect(pa, pb, cores));
        }
    }

    /**
     * DPDK's testpmd forwarding (io mode) on the same kind of ports as podswitch.
     * <pre>
     *   AF_XDP: gen eth0 ── xin [ns "dpdk": testpmd net_af_xdp ×2] xout ── eth0 sink
     *   TAP:    gen dtap0 ◄─ testpmd net_tap ×2 (started in gen) ─► dtap1, moved into sink
     * </pre>
     * One subnet: testpmd forwards frames unchanged, so ARP passes through it too.
     */
    record Testpmd(Path testpmd, PortKind kind, int core) implements PathSubject {
        @Override
        public String name() {
            return "dpdk-testpmd";
        }

        @Override
        public Built build(Topology t) throws Exception {
            String p = "10." + NET + ".1.";
            String gen = t.netns("gen");
            String sink = t.netns("sink");
            String genDev;
            String sinkDev;
            TestpmdForwarder f;
            if (kind == PortKind.AF_XDP) {
                String mid = t.netns("dpdk");
                t.veth(gen, "eth0", mid, "xin");
                t.veth(mid, "xout", sink, "eth0");
                genDev = "eth0";
                sinkDev = "eth0";
                f = TestpmdForwarder.afXdp(testpmd, mid, "xin", "xout", core);
            } else {
                genDev = "dtap0";
                sinkDev = "dtap1";
                f = TestpmdForwarder.tap(testpmd, gen, genDev, sinkDev, core);
            }
            try {
                if (kind == PortKind.TAP) {
                    Exec.run(List.of("ip", "-n", gen, "link", "set", sinkDev, "netns", sink));
                    t.up(gen, genDev);
                    t.up(sink, sinkDev);
                }
                t.address(gen, genDev, p + "2/24");
                t.address(sink, sinkDev, p + "3/24");
                if (!pingWithin(gen, p + "3", 10)) {
                    throw new IOException("testpmd " + kind.parameter() + " path: sink not reachable");
                }
                ForwardPath fp = new ForwardPath(gen, genDev, Topology.mac(gen, genDev), p + "2",
                        Topology.mac(sink, sinkDev), p + "3", sink, sinkDev);
                return new Built(fp, Optional.of(f::cpuNanos), f);
            } catch (Exception e) {
                f.close();
                throw e;
            }
        }

        /** testpmd needs a moment after start before it polls its ports. */
        private static boolean pingWithin(String ns, String ip, int attempts) throws IOException {
            for (int i = 0; i < attempts; i++) {
                if (Topology.ping(ns, ip)) {
                    return true;
                }
            }
            return false;
        }
    }

    record KernelForward() implements PathSubject {
        @Override
        public String name() {
            return "kernel-forward";
        }

        @Override
        public Built build(Topology t) throws Exception {
            return Built.kernel(KernelRouterTopology.build(t, NET));
        }
    }

    record LinuxBridge() implements PathSubject {
        @Override
        public String name() {
            return "linux-bridge";
        }

        @Override
        public Built build(Topology t) throws Exception {
            return Built.kernel(LinuxBridgeTopology.build(t, NET));
        }
    }
}
