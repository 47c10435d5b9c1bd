package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.side.EngineRun;
import io.podswitch.perf.bench.side.EngineSide;
import io.podswitch.perf.bench.side.PodEndpoint;
import io.podswitch.perf.bench.side.PortKind;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.bench.side.SwitchPath;
import io.podswitch.perf.bench.side.SwitchPathSide;
import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.util.List;

/** Stand-ins for the podswitch sides, to test the scenarios' podswitch code paths before the engine lands. */
final class FakeSides {

    private FakeSides() {
    }

    /** An "engine" that forwards 2 Mpps per worker. */
    static final EngineSide ENGINE = (workload, duration) ->
            new EngineRun(2_000_000L * workload.workers() * Math.max(1, duration.toMillis()) / 1000,
                    Math.max(1, duration.toNanos()), 50L * workload.workers());

    /**
     * A "switch" made of the kernel: a veth from each pod to a router namespace with ip_forward on.
     * AF_XDP is refused, to exercise the unavailable path.
     */
    static final SwitchPathSide KERNEL_AS_SWITCH = (kind, a, b, cores) -> {
        if (kind == PortKind.AF_XDP) {
            throw new SideUnavailableException("this fake has no AF_XDP");
        }
        String router = a.netns() + "-fake";
        Exec.run(List.of("ip", "netns", "add", router));
        try {
            attach(router, a, "ra");
            attach(router, b, "rb");
            Exec.run(Exec.inNetns(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"));
        } catch (IOException e) {
            Exec.exec(List.of("ip", "netns", "del", router), Exec.DEFAULT_TIMEOUT);
            throw e;
        }
        return new SwitchPath() {
            @Override
            public long cpuNanos() {
                return 0;
            }

            @Override
            public void close() throws IOException {
                Exec.run(List.of("ip", "netns", "del", router));
            }
        };
    };

    private static void attach(String router, PodEndpoint pod, String routerDev) throws IOException {
        Exec.run(List.of("ip", "-n", pod.netns(), "link", "add", pod.ifName(), "type", "veth", "peer", "name",
                routerDev, "netns", router));
        Exec.run(List.of("ip", "-n", pod.netns(), "link", "set", pod.ifName(), "up"));
        Exec.run(List.of("ip", "-n", router, "link", "set", routerDev, "up"));
        Exec.run(List.of("ip", "-n", pod.netns(), "addr", "add", pod.address(), "dev", pod.ifName()));
        Exec.run(List.of("ip", "-n", router, "addr", "add", pod.gateway() + "/24", "dev", routerDev));
        Exec.run(List.of("ip", "-n", pod.netns(), "route", "add", "default", "via", pod.gateway()));
    }
}
