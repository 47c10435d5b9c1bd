package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.connrate.ConnectionRateResult;
import io.podswitch.perf.bench.connrate.ShortConnectionLoad;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.ServiceNode;
import io.podswitch.perf.bench.side.ServiceSide;
import io.podswitch.perf.bench.side.ServiceSpec;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.kubeproxy.KernelServiceNode;
import io.podswitch.perf.kubeproxy.KubeProxyMode;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pod → ClusterIP service on one node: podswitch's in-data-path load balancer against the kernel's
 * service proxy as kube-proxy programs it (iptables, nftables, IPVS modes), each on its own node of
 * namespaces with the same addressing (pods in 10.244.0.0/24, services in 10.96.0.0/16).
 *
 * <p>Services: {@code web} 10.96.0.10:80 → three backend pods :8080; {@code iperf} 10.96.0.11:5201 →
 * backend 0 only (iperf3's control and data connections must all reach the same server);
 * {@code empty} 10.96.0.12:80 without endpoints. Per subject: short-connection rate and
 * connect+reply latency (p50, p99) to the ClusterIP and directly to backend 0 (port 8081, the
 * reference without a service), iperf3 TCP throughput with 1 and 4 streams through the ClusterIP and
 * directly, and the CPU the node's forwarding process uses while no packet flows (podswitchd; the
 * kernel's rules have no process). {@code --side} picks subjects; the others are listed as skipped.
 */
public final class ServiceScenario implements Scenario {

    static final String NAME = "service";
    /** CPU the forwarding process uses while no packet flows, in % of one core. */
    static final Outcomes.Metric IDLE_CPU = Outcomes.Metric.lower("idle_cpu", "% of a core");
    static final String PODSWITCH = Measurement.PODSWITCH;
    static final int BACKENDS = 3;
    static final int WEB_PORT = 80;
    static final int WEB_TARGET = 8080;
    static final int IPERF_PORT = 5201;
    static final String WEB_VIP = "10.96.0.10";
    static final String IPERF_VIP = "10.96.0.11";
    static final List<ServiceSpec> SERVICES = List.of(
            new ServiceSpec("web", "http", WEB_VIP, WEB_PORT, WEB_TARGET, List.of(0, 1, 2)),
            new ServiceSpec("iperf", "iperf", IPERF_VIP, IPERF_PORT, IPERF_PORT, List.of(0)),
            new ServiceSpec("empty", "http", "10.96.0.12", WEB_PORT, WEB_TARGET, List.of()));
    static final List<String> SUBJECTS = List.of(KubeProxyMode.IPTABLES.subject(), KubeProxyMode.NFTABLES.subject(),
            KubeProxyMode.IPVS.subject(), PODSWITCH);
    /**
     * Direct connections go to their own server port on backend 0, which no service targets: on
     * podswitch a finished service flow's conntrack entry un-DNATs the replies of a later direct
     * connection that reuses its (client port, backend address, backend port) — see
     * docs/benchmarks-service.md — and the reference figure must not pay for that.
     */
    static final int DIRECT_PORT = 8081;
    private static final List<String> PATHS = List.of("direct", "vip");
    private static final List<Integer> STREAMS = List.of(1, 4);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "pod → ClusterIP: connection rate, latency and iperf3 through the VIP and direct; podswitch vs kube-proxy iptables/nftables/IPVS";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("ip", "ss", "iptables-restore", "nft", "ipvsadm", "iperf3"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return ClientServerSteps.selected(s, SUBJECTS) * (1 + PATHS.size() * (1 + STREAMS.size()));
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        Optional<Path> iperf3 = ctx.tool("iperf3", "apt-get install -y iperf3");
        return ClientServerSteps.eachSubject(ctx, NAME, SUBJECTS, o -> runSubject(ctx, o, iperf3),
                (o, status, reason) -> notMeasured(ctx, o, status, reason));
    }

    private List<Measurement> runSubject(ScenarioContext ctx, Outcomes o, Optional<Path> iperf3) {
        Optional<KubeProxyMode> mode = mode(o.subject());
        String toolVersion = "";
        if (mode.isPresent()) {
            if (mode.get() == KubeProxyMode.IPVS) {
                String why = ipvsUnavailable();
                if (why != null) {
                    return notMeasured(ctx, o, Status.UNAVAILABLE, why);
                }
            }
            Optional<Path> tool = ctx.tool(mode.get().tool(), installHint(mode.get()));
            if (tool.isEmpty()) {
                return notMeasured(ctx, o, Status.MISSING_TOOL, mode.get().tool() + " not installed (" + installHint(mode.get()) + ")");
            }
            toolVersion = ClientServerSteps.version(tool.get(), "--version");
        } else if (ctx.sides().service().isEmpty()) {
            return notMeasured(ctx, o, Status.UNAVAILABLE, PodswitchSides.unboundReason(ServiceSide.class));
        }
        try (Topology t = Topology.create()) {
            ServiceNode node = mode.isPresent()
                    ? KernelServiceNode.build(t, mode.get(), BACKENDS, SERVICES, toolVersion)
                    : ctx.sides().service().get().build(t, BACKENDS, SERVICES, ctx.settings().cores());
            try (node; ShortConnectionLoad.Servers _ = ShortConnectionLoad.startServers(node.backendNs(), WEB_TARGET);
                 ShortConnectionLoad.Servers _ = ShortConnectionLoad.startServers(List.of(node.backendNs().getFirst()), DIRECT_PORT)) {
                ctx.note(o.subject() + ": " + node.implementation());
                check(node);
                List<Measurement> out = new ArrayList<>();
                out.add(idleCpu(ctx, o, node));
                for (String path : PATHS) {
                    out.addAll(connections(ctx, o, node, path));
                }
                for (String path : PATHS) {
                    for (int streams : STREAMS) {
                        out.add(throughput(ctx, o, node, path, streams, iperf3));
                    }
                }
                return out;
            }
        } catch (SideUnavailableException e) {
            return notMeasured(ctx, o, Status.UNAVAILABLE, e.getMessage());
        } catch (Exception e) {
            return notMeasured(ctx, o, Status.FAILED, Outcomes.reason(e));
        }
    }

    /** Before measuring: 30 connections to the ClusterIP all answered, by more than one backend. */
    private static void check(ServiceNode node) throws IOException {
        ConnectionRateResult r = ShortConnectionLoad.count(node.clientNs(), WEB_VIP + ":" + WEB_PORT, 2, 30);
        if (r.ok() != 30 || r.backends().size() < 2) {
            throw new IOException("service check: 30 connections to " + WEB_VIP + ":" + WEB_PORT + " gave " + r.ok()
                    + " answers (refused " + r.refused() + ", timeouts " + r.timeouts() + ", errors " + r.errors()
                    + ") from backends " + r.backends());
        }
    }

    /** The forwarding process's CPU over a window without traffic (right after the service check). */
    private Measurement idleCpu(ScenarioContext ctx, Outcomes o, ServiceNode node) {
        Map<String, String> params = Outcomes.params("traffic", "none");
        if (node.cpuNanos().getAsLong() < 0) {
            return o.not(IDLE_CPU, params, Status.UNAVAILABLE, "no process: the kernel's rules cost nothing while no packet flows");
        }
        try {
            Samples s = ctx.measure(o.subject() + " idle", d -> {
                long before = node.cpuNanos().getAsLong();
                long start = System.nanoTime();
                Thread.sleep(d.toMillis());
                long used = node.cpuNanos().getAsLong() - before;
                return Map.of(IDLE_CPU.name(), 100.0 * used / (System.nanoTime() - start));
            });
            return o.ok(IDLE_CPU, params, s, "CPU time of the whole daemon process (every thread) over the window, no traffic; "
                    + node.implementation());
        } catch (Exception e) {
            return o.not(IDLE_CPU, params, Status.FAILED, Outcomes.reason(e));
        }
    }

    private List<Measurement> connections(ScenarioContext ctx, Outcomes o, ServiceNode node, String path) {
        int parallel = ClientServerSteps.parallel(ctx);
        String target = path.equals("vip") ? WEB_VIP + ":" + WEB_PORT : node.backendIps().getFirst() + ":" + DIRECT_PORT;
        return ClientServerSteps.connections(ctx, o, "connections " + path, node.clientNs(), target,
                Outcomes.params("path", path, "parallel", Integer.toString(parallel)),
                (s, spread) -> "connect + 6-byte request + reply + close (RST), " + parallel + " in parallel; replies per "
                        + "backend " + spread + " (last repetition); failed attempts per repetition "
                        + ClientServerSteps.join(s.get("failed")));
    }

    private Measurement throughput(ScenarioContext ctx, Outcomes o, ServiceNode node, String path, int streams,
                                   Optional<Path> iperf3) {
        String target = path.equals("vip") ? IPERF_VIP : node.backendIps().getFirst();
        return ClientServerSteps.throughput(ctx, o, "iperf3 " + path + " x" + streams, iperf3, node.clientNs(),
                node.backendNs().getFirst(), target, IPERF_PORT, streams,
                Outcomes.params("path", path, "streams", Integer.toString(streams)), "iperf3 -P " + streams + " to " + target
                        + (path.equals("vip") ? " (service with backend 0 only)" : " (backend 0's pod address)") + ", whole seconds");
    }

    private static List<Measurement> notMeasured(ScenarioContext ctx, Outcomes o, Status status, String reason) {
        List<Measurement> out = new ArrayList<>();
        out.add(o.not(IDLE_CPU, Outcomes.params("traffic", "none"), status, reason));
        String parallel = Integer.toString(ClientServerSteps.parallel(ctx));
        for (String path : PATHS) {
            out.addAll(ClientServerSteps.notConnections(o, Outcomes.params("path", path, "parallel", parallel), status, reason));
        }
        for (String path : PATHS) {
            for (int streams : STREAMS) {
                out.add(o.not(ClientServerSteps.THROUGHPUT, Outcomes.params("path", path, "streams", Integer.toString(streams)), status, reason));
            }
        }
        return out;
    }

    static Optional<KubeProxyMode> mode(String subject) {
        for (KubeProxyMode m : KubeProxyMode.values()) {
            if (m.subject().equals(subject)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private static String installHint(KubeProxyMode m) {
        return switch (m) {
            case IPTABLES -> "apt-get install -y iptables";
            case NFTABLES -> "apt-get install -y nftables";
            case IPVS -> "apt-get install -y ipvsadm";
        };
    }

    /** Null when IPVS can be used, else why not (the module is missing from this kernel, typically). */
    static String ipvsUnavailable() {
        if (Files.exists(Path.of("/proc/net/ip_vs"))) {
            return null;
        }
        try {
            Exec.Result r = Exec.exec(List.of("modprobe", "ip_vs"), Exec.DEFAULT_TIMEOUT);
            if (r.exitCode() == 0 && Files.exists(Path.of("/proc/net/ip_vs"))) {
                return null;
            }
            return "the ip_vs module cannot be loaded in this kernel (modprobe ip_vs: " + (r.stderr() + r.stdout()).strip() + ")";
        } catch (IOException e) {
            return "the ip_vs module cannot be loaded: " + e.getMessage();
        }
    }
}
