package io.podswitch.daemon.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.daemon.engine.EngineConfig;
import io.podswitch.daemon.engine.PortCounterSource;
import io.podswitch.daemon.engine.PortIdentity;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.health.Health;
import io.podswitch.daemon.stats.DaemonCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.memory.MemoryPort;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.stats.CounterSource;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The collectors over a real engine (no privileges), rendered by the Prometheus client, checked by promtool. */
class DaemonMetricsTest {
    private final SwitchEngine engine = new SwitchEngine(new EngineConfig(2, "backoff", 8192, 16));
    private final DaemonCounters counters = new DaemonCounters(null);
    private final Health health = new Health();

    @AfterEach
    void close() {
        engine.close();
    }

    private MetricSnapshots scrape() {
        for (CounterSource s : engine.counterSources()) {
            counters.register(s);
        }
        MemoryPort pod = new MemoryPort(engine.allocatePortId(), "eth0", engine.pool(), 1, 64);
        pod.counters().dropped(PortDropReason.values()[0], 3);
        counters.register(new PortCounterSource(PortIdentity.pod("c0ffee", "eth0", "shop/web-1"), pod));
        MemoryPort host = new MemoryPort(engine.allocatePortId(), "podswitch0", engine.pool(), 1, 64);
        counters.register(new PortCounterSource(PortIdentity.host("podswitch0"), host));
        health.readiness().gate("dataplane", "host port podswitch0 is down");
        health.liveness().gate("worker-0", "x").pass("ticking");
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        for (var c : List.of(new WorkerMetrics(engine), new GraphMetrics(engine), new PortMetrics(counters),
                new ServiceMetrics(engine.serviceTable()), new OverlayMetrics(engine, null), new HealthMetrics(health))) {
            for (MetricSnapshot s : c.collect()) {
                all.metricSnapshot(s);
            }
        }
        return all.build();
    }

    private static String text(MetricSnapshots snapshots) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, snapshots);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void familiesAreLabelledNotGlued() throws Exception {
        String text = text(scrape());
        assertTrue(text.contains("podswitch_port_drops_total{container_id=\"c0ffee\",kind=\"pod\",pod_name=\"web-1\",pod_namespace=\"shop\",port=\"eth0\",reason=\""
                + PortDropReason.values()[0].name().toLowerCase() + "\"} 3.0"), text);
        assertTrue(text.contains("podswitch_port_receive_packets_total{container_id=\"\",kind=\"host\",pod_name=\"\",pod_namespace=\"\",port=\"podswitch0\"} 0.0"),
                text);
        assertTrue(text.contains("podswitch_graph_node_events_total{node=\"ip4-input\",reason=\"bad_checksum\",worker=\"1\"} 0.0"),
                text);
        assertTrue(text.contains("podswitch_worker_cycles_total{worker=\"0\"}"), text);
        assertTrue(text.contains("podswitch_conntrack_capacity{worker=\"1\"}"), text);
        assertTrue(text.contains("podswitch_overlay_drops_total{direction=\"decap\",reason="), text);
        assertTrue(text.contains("podswitch_health_check{check=\"dataplane\",probe=\"readyz\"} 0.0"), text);
        assertTrue(text.contains("podswitch_health_check{check=\"worker-0\",probe=\"healthz\"} 1.0"), text);
        for (String line : text.lines().filter(l -> !l.startsWith("#")).toList()) {
            String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
            assertTrue(name.matches("podswitch_[a-z0-9_]+"), "metric names carry no glued identities: " + line);
        }
    }

    @Test
    void promtoolAcceptsTheExposition() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")), "promtool (Debian's prometheus) not installed");
        Process p = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text(scrape()).getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    @Test
    void serviceKeysAreReadFromTheRight() {
        ServiceEntry e = new ServiceEntry(0, "default/web:http:IPv4:nodeport", ServiceKind.NODE_PORT, 6, 0, 0, 30080,
                List.of(), false, 0L, 1, 13);
        assertArrayEquals(new String[] {"default/web", "http", "IPv4", "node_port"}, ServiceMetrics.labels(e));
    }

    @Test
    void theEndpointNegotiatesTheFormatAndAnswersProbes() throws Exception {
        MetricSnapshots snapshots = scrape();
        ProbeEndpoint endpoint = new ProbeEndpoint(health, () -> snapshots);
        HttpResponse text = endpoint.handle(new HttpRequest("GET", "/metrics", Map.of(), null));
        assertEquals(200, text.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", text.header("content-type"));
        HttpResponse open = endpoint.handle(new HttpRequest("GET", "/metrics", Map.of("accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"), null));
        assertTrue(open.header("content-type").startsWith("application/openmetrics-text; version=1.0.0"));
        assertTrue(open.bodyText().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        HttpResponse gzip = endpoint.handle(new HttpRequest("GET", "/metrics", Map.of("accept-encoding", "gzip"), null));
        assertEquals("gzip", gzip.header("content-encoding"));
        assertEquals(text.bodyText(), new String(new GZIPInputStream(new ByteArrayInputStream(gzip.body())).readAllBytes(),
                StandardCharsets.UTF_8));
        assertEquals(503, endpoint.handle(new HttpRequest("GET", "/readyz", Map.of(), null)).status());
        assertEquals("[-]dataplane failed: host port podswitch0 is down\nreadyz check failed\n",
                endpoint.handle(new HttpRequest("GET", "/readyz", Map.of(), null)).bodyText());
        assertEquals(200, endpoint.handle(new HttpRequest("GET", "/healthz?verbose", Map.of(), null)).status());
        assertEquals(405, endpoint.handle(new HttpRequest("POST", "/metrics", Map.of(), null)).status());
        assertEquals(404, endpoint.handle(new HttpRequest("GET", "/nope", Map.of(), null)).status());
        ProbeEndpoint busy = new ProbeEndpoint(health, () -> {
            throw new IllegalStateException("podswitchd is starting");
        });
        assertEquals(503, busy.handle(new HttpRequest("GET", "/metrics", Map.of(), null)).status());
    }
}
