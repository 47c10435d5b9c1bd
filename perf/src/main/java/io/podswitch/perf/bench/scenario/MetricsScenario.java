package io.podswitch.perf.bench.scenario;

import io.podswitch.daemon.api.ControlThread;
import io.podswitch.daemon.engine.EngineConfig;
import io.podswitch.daemon.engine.PortCounterSource;
import io.podswitch.daemon.engine.PortIdentity;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.health.Health;
import io.podswitch.daemon.http.ErrorBodies;
import io.podswitch.daemon.http.HttpListener;
import io.podswitch.daemon.http.HttpTransport;
import io.podswitch.daemon.http.ListenerSettings;
import io.podswitch.daemon.metrics.DaemonMetrics;
import io.podswitch.daemon.metrics.ProbeEndpoint;
import io.podswitch.daemon.stats.DaemonCounters;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.jvm.SubjectJvmLog;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.port.memory.MemoryPort;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;
import io.podswitch.stats.CounterSource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a Prometheus scrape costs: {@code GET /metrics} over the daemon's real metrics listener (Netty on
 * io_uring, the collectors on a control thread, the Prometheus client's writers) for a node with
 * {@value #PODS} pods and {@value #SERVICES} service keys — latency per scrape (median and p99 over a
 * repetition) and bytes per scrape as text, gzip and OpenMetrics. No root: the pods are in-memory ports
 * with the same counters a TAP has; the engine is the daemon's, two workers running.
 *
 * <p>And that scraping does not slow the data path: as root, a podswitchd in a node namespace with two
 * pods (CNI), iperf3 TCP pod to pod, each repetition once without and once with a scraper asking the
 * daemon's {@code /metrics} every second ({@link NetnsScraper}: a thread of the bench in the node namespace, as
 * Prometheus would), so the two figures come from the same minutes of the same machine.
 */
public final class MetricsScenario implements Scenario {
    static final String NAME = "metrics";
    static final int PODS = 1000;
    static final int SERVICES = 10_000;
    private static final Outcomes.Metric SCRAPE_P50 = Outcomes.Metric.lower("scrape_ms_p50", "ms");
    private static final Outcomes.Metric SCRAPE_P99 = Outcomes.Metric.lower("scrape_ms_p99", "ms");
    private static final Outcomes.Metric BYTES = Outcomes.Metric.lower("scrape_bytes", "bytes");
    private static final Outcomes.Metric GZIP_BYTES = Outcomes.Metric.lower("scrape_bytes_gzip", "bytes");
    private static final Outcomes.Metric OPEN_METRICS_BYTES = Outcomes.Metric.lower("scrape_bytes_openmetrics", "bytes");
    private static final Outcomes.Metric SERIES = Outcomes.Metric.higher("series", "series");
    private static final Outcomes.Metric TCP = Outcomes.Metric.higher("pod_tcp_gbps", "Gbit/s");
    /** podswitchd's metrics port in its node namespace (bin/podswitchd's default). */
    private static final int METRICS_PORT = 9469;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "GET /metrics cost with " + PODS + " pods and " + SERVICES
                + " service keys: latency per scrape and bytes (text, gzip, OpenMetrics), through the real listener";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(false, List.of());
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 2;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        Outcomes o = new Outcomes(NAME, Measurement.PODSWITCH);
        int pods = ctx.smoke() ? 20 : PODS;
        int services = ctx.smoke() ? 200 : SERVICES;
        Map<String, String> params = Outcomes.params("pods", Integer.toString(pods), "services", Integer.toString(services));
        List<Outcomes.Metric> metrics = List.of(SCRAPE_P50, SCRAPE_P99, BYTES, GZIP_BYTES, OPEN_METRICS_BYTES, SERIES);
        List<Measurement> out = new ArrayList<>(scrapeCost(ctx, o, pods, services, params, metrics));
        out.addAll(dataPathWhileScraped(ctx));
        return out;
    }

    private List<Measurement> scrapeCost(ScenarioContext ctx, Outcomes o, int pods, int services,
                                         Map<String, String> params, List<Outcomes.Metric> metrics) {
        try (Node node = new Node(pods, services)) {
            SubjectJvmLog.inThisJvm(Measurement.PODSWITCH, "bench JVM: the metrics listener and collectors in-process");
            ctx.note("scraping http://" + node.address.getHostString() + ":" + node.address.getPort() + "/metrics ("
                    + node.transport.name() + ")");
            Samples s = ctx.measure("scrape " + pods + " pods " + services + " services", d -> node.scrapeFor(d));
            List<Measurement> out = new ArrayList<>();
            for (Outcomes.Metric m : metrics) {
                out.add(o.ok(m, params, s, m == SCRAPE_P50 || m == SCRAPE_P99 ? "per scrape, back to back, over TCP"
                        : "one scrape"));
            }
            return out;
        } catch (Exception e) {
            return o.not(metrics, params, Status.FAILED, Outcomes.reason(e));
        }
    }

    /** iperf3 pod to pod through a podswitchd, without and with a 1 s scraper, alternating per repetition. */
    private List<Measurement> dataPathWhileScraped(ScenarioContext ctx) {
        Outcomes o = new Outcomes(NAME, Measurement.PODSWITCH);
        Map<String, String> quiet = Outcomes.params("scraped", "no");
        Map<String, String> scraped = Outcomes.params("scraped", "every 1 s");
        List<Measurement> unavailable = new ArrayList<>();
        if (!ctx.isRoot()) {
            unavailable.add(o.not(TCP, quiet, Status.UNAVAILABLE, "needs root (namespaces, podswitchd)"));
            unavailable.add(o.not(TCP, scraped, Status.UNAVAILABLE, "needs root (namespaces, podswitchd)"));
            return unavailable;
        }
        java.util.Optional<java.nio.file.Path> iperf3 = ctx.tool("iperf3", "apt-get install -y iperf3");
        if (iperf3.isEmpty()) {
            unavailable.add(o.not(TCP, quiet, Status.MISSING_TOOL, "iperf3 needed"));
            unavailable.add(o.not(TCP, scraped, Status.MISSING_TOOL, "iperf3 needed"));
            return unavailable;
        }
        try (io.podswitch.perf.topo.Topology t = io.podswitch.perf.topo.Topology.create()) {
            io.podswitch.perf.bench.side.ServiceNode node = new io.podswitch.perf.sides.PodswitchdServiceSide()
                    .build(t, 1, List.of(), ctx.settings().cores());
            try (node) {
                String nodeNs = "psb" + t.id() + "-node";
                io.podswitch.perf.baseline.Iperf3Runner runner = new io.podswitch.perf.baseline.Iperf3Runner(iperf3.get());
                Samples s = ctx.measure("pod tcp unscraped / scraped every 1 s", d -> {
                    double without = runner.tcpGbps(node.clientNs(), node.backendNs().getFirst(),
                            node.backendIps().getFirst(), 5201, d);
                    try (NetnsScraper scraper = NetnsScraper.start(nodeNs, METRICS_PORT, Duration.ofSeconds(1))) {
                        Thread.sleep(1500);
                        scraper.check();
                        double with = runner.tcpGbps(node.clientNs(), node.backendNs().getFirst(),
                                node.backendIps().getFirst(), 5201, d);
                        scraper.check();
                        if (scraper.scrapes() < 2) {
                            throw new java.io.IOException("only " + scraper.scrapes() + " scrapes of /metrics in "
                                    + nodeNs + " during the scraped run");
                        }
                        return Map.of("quiet", without, "scraped", with);
                    }
                });
                return List.of(o.ok(TCP, quiet, s.get("quiet"), "iperf3 pod to pod through podswitchd, 1 stream"),
                        o.ok(TCP, scraped, s.get("scraped"), "same, while /metrics is scraped every second"));
            }
        } catch (Exception e) {
            unavailable.add(o.not(TCP, quiet, Status.FAILED, Outcomes.reason(e)));
            unavailable.add(o.not(TCP, scraped, Status.FAILED, Outcomes.reason(e)));
            return unavailable;
        }
    }

    /** An engine with {@code pods} pod ports and {@code services} service keys, served like podswitchd serves it. */
    private static final class Node implements AutoCloseable {
        private final SwitchEngine engine;
        private final ControlThread control = new ControlThread();
        private final HttpTransport transport = HttpTransport.start();
        private final HttpListener listener;
        private final InetSocketAddress address;
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Node(int pods, int services) throws Exception {
            engine = new SwitchEngine(new EngineConfig(2, "backoff", 8192, pods + 8));
            DaemonCounters counters = new DaemonCounters(null);
            for (CounterSource s : engine.counterSources()) {
                counters.register(s);
            }
            for (int i = 0; i < pods; i++) {
                MemoryPort port = new MemoryPort(engine.allocatePortId(), "eth0", engine.pool(), 1, 64);
                port.counters().received(1_000 + i, 1_500_000L * i);
                counters.register(new PortCounterSource(PortIdentity.pod(String.format("%064x", i), "eth0"), port));
            }
            ServiceTable table = new ServiceTable(services + 16, 2);
            for (int i = 0; i < services; i++) {
                // Maglev size 13: the scrape reads names and counters, not the lookup table.
                table.put(new ServiceEntry(table.freeId(), "ns" + (i % 50) + "/svc" + i + ":http:IPv4",
                        ServiceKind.CLUSTER_IP, 6, 0, 0x0a600000L + i, 80, List.of(), false, 0L, 1, 13));
            }
            DaemonMetrics metrics = new DaemonMetrics("bench", transport.name(), engine, table, counters, null, null,
                    new Health());
            ProbeEndpoint endpoint = new ProbeEndpoint(new Health(), () -> control.call(metrics::scrape, 10_000));
            listener = HttpListener.tcp(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), endpoint,
                    ErrorBodies.PLAIN_TEXT, ListenerSettings.DEFAULTS);
            address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port());
        }

        private HttpResponse<byte[]> get(String accept, String encoding) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).header("Accept", accept);
            if (encoding != null) {
                b.header("Accept-Encoding", encoding);
            }
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("/metrics answered " + r.statusCode());
            }
            return r;
        }

        /** Scrapes back to back (as Prometheus asks for it: OpenMetrics, gzip) for {@code d}; latency percentiles. */
        Map<String, Double> scrapeFor(Duration d) throws Exception {
            List<Long> nanos = new ArrayList<>();
            long end = System.nanoTime() + d.toNanos();
            do {
                long t0 = System.nanoTime();
                get("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5", "gzip");
                nanos.add(System.nanoTime() - t0);
            } while (System.nanoTime() < end || nanos.size() < 3);
            long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
            byte[] text = get("text/plain", null).body();
            byte[] gzip = get("text/plain", "gzip").body();
            byte[] open = get("application/openmetrics-text;version=1.0.0", null).body();
            long series = Arrays.stream(new String(text, java.nio.charset.StandardCharsets.UTF_8).split("\n"))
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
            return Map.of(SCRAPE_P50.name(), sorted[sorted.length / 2] / 1e6,
                    SCRAPE_P99.name(), sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6,
                    BYTES.name(), (double) text.length, GZIP_BYTES.name(), (double) gzip.length,
                    OPEN_METRICS_BYTES.name(), (double) open.length, SERIES.name(), (double) series);
        }

        @Override
        public void close() {
            listener.close();
            transport.close();
            control.close();
            engine.close();
        }
    }
}
