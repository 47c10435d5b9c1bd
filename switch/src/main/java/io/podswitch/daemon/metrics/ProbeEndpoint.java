package io.podswitch.daemon.metrics;

import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.HttpStatus;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.health.Health;
import io.podswitch.daemon.health.HealthReport;
import io.podswitch.daemon.http.HttpEndpoint;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The metrics/probe listener's endpoints (TCP; see docs/operations.md):
 *
 * <pre>
 *   GET /metrics            Prometheus text format 0.0.4, or OpenMetrics 1.0 when the Accept header asks
 *                           for application/openmetrics-text (Prometheus does); gzip when accepted
 *   GET /healthz[?verbose]  liveness: 200 "healthz check passed" or 503 with the failing checks
 *   GET /readyz[?verbose]   readiness: the same for the readiness checks
 * </pre>
 *
 * HEAD is answered like GET without the body; other methods 405, other paths 404. The exposition is
 * the Prometheus Java client's own writers.
 */
public final class ProbeEndpoint implements HttpEndpoint {
    /** Collects the metrics (on the control thread; may fail when it is busy or stopping). */
    @FunctionalInterface
    public interface Scraper {
        MetricSnapshots scrape() throws Exception;
    }

    private static final ExpositionFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final ExpositionFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();
    private static final String INDEX = """
            podswitchd: /metrics (Prometheus, OpenMetrics), /healthz (liveness), /readyz (readiness); \
            add ?verbose to a probe for every check
            """;

    private final Health health;
    private final Scraper scraper;

    public ProbeEndpoint(Health health, Scraper scraper) {
        this.health = health;
        this.scraper = scraper;
    }

    @Override
    public HttpResponse handle(HttpRequest request) {
        String target = request.target();
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return new HttpResponse(405, HttpStatus.reason(405), Map.of("allow", "GET, HEAD", "content-type",
                    "text/plain; charset=utf-8"), (request.method() + " not allowed: use GET\n").getBytes(StandardCharsets.UTF_8));
        }
        return switch (path) {
            case "/metrics" -> metrics(request);
            case "/healthz", "/livez" -> probe(health.liveness().evaluate(), query);
            case "/readyz" -> probe(health.readiness().evaluate(), query);
            case "/" -> text(200, INDEX);
            default -> text(404, "not found: " + path + "\n" + INDEX);
        };
    }

    private static HttpResponse probe(HealthReport report, String query) {
        boolean verbose = (query + "&").contains("verbose");
        return text(report.httpStatus(), report.render(verbose));
    }

    private HttpResponse metrics(HttpRequest request) {
        MetricSnapshots snapshots;
        try {
            snapshots = scraper.scrape();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return text(503, "podswitchd is stopping\n");
        } catch (Exception e) {
            return text(503, "cannot collect metrics now: " + e + "\n");
        }
        String accept = header(request, "accept");
        ExpositionFormatWriter writer = accept.contains("application/openmetrics-text") ? OPEN_METRICS : TEXT;
        boolean gzip = header(request, "accept-encoding").contains("gzip");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (OutputStream out = gzip ? new GZIPOutputStream(bytes, 64 * 1024) : bytes) {
            writer.write(out, snapshots);
        } catch (IOException | RuntimeException e) {
            DaemonLog.warn("cannot write the metrics", e);
            return text(500, "cannot write the metrics: " + e + "\n");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", writer.getContentType());
        if (gzip) {
            headers.put("content-encoding", "gzip");
        }
        return new HttpResponse(200, "OK", headers, bytes.toByteArray());
    }

    private static String header(HttpRequest request, String name) {
        String value = request.header(name);
        return value == null ? "" : value.toLowerCase(Locale.ROOT);
    }

    private static HttpResponse text(int status, String body) {
        return new HttpResponse(status, HttpStatus.reason(status), Map.of("content-type", "text/plain; charset=utf-8"),
                body.getBytes(StandardCharsets.UTF_8));
    }
}
