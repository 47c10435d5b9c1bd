package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.side.PodEndpoint;
import io.podswitch.perf.bench.side.PortKind;
import io.podswitch.perf.bench.side.SwitchPath;
import io.podswitch.perf.bench.side.SwitchPathSide;
import io.podswitch.perf.topo.ForwardPath;
import io.podswitch.perf.topo.KernelRouterTopology;
import io.podswitch.perf.topo.LinuxBridgeTopology;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

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

    /** A path ready for traffic; {@code podswitch} is present only for the podswitch subject. */
    record Built(ForwardPath path, Optional<SwitchPath> podswitch) {
        long podswitchCpuNanos() {
            return podswitch.map(SwitchPath::cpuNanos).orElse(0L);
        }
    }

    record Podswitch(SwitchPathSide side, PortKind kind, List<Integer> cores) implements PathSubject {
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
            SwitchPath path = side.connect(kind, pa, pb, cores);
            try {
                if (!Topology.ping(a, pb.ip())) {
                    throw new IOException("podswitch " + kind.parameter() + " path: " + pb.ip() + " not reachable from " + a);
                }
                ForwardPath fp = new ForwardPath(a, pa.ifName(), Topology.mac(a, pa.ifName()), pa.ip(),
                        Topology.neighbourMac(a, pa.gateway()), pb.ip(), b, pb.ifName());
                return new Built(fp, Optional.of(path));
            } catch (Exception e) {
                path.close();
                throw e;
            }
        }
    }

    record KernelForward() implements PathSubject {
        @Override
        public String name() {
            return "kernel-forward";
        }

        @Override
        public Built build(Topology t) throws Exception {
            return new Built(KernelRouterTopology.build(t, NET), Optional.empty());
        }
    }

    record LinuxBridge() implements PathSubject {
        @Override
        public String name() {
            return "linux-bridge";
        }

        @Override
        public Built build(Topology t) throws Exception {
            return new Built(LinuxBridgeTopology.build(t, NET), Optional.empty());
        }
    }
}
