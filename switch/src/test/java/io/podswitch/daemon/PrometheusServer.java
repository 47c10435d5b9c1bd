package io.podswitch.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus server (Debian's {@code prometheus}) for tests: its own config and data directory,
 * a free loopback port, scraping one target every second; PromQL through its HTTP API. Stopped (and its
 * directory removed) by {@link #close}, also when the test fails.
 */
final class PrometheusServer implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Path dir;
    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /** Starts Prometheus scraping {@code target} (host:port) as job {@code podswitch}; waits until it is ready. */
    static PrometheusServer start(Path dir, InetSocketAddress target) throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: podswitch
                    static_configs: [{targets: ['%s:%d']}]
                """.formatted(target.getAddress().getHostAddress(), target.getPort()));
        int port = freePort();
        Process p = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(dir, p, port);
        try {
            server.awaitReady();
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited: " + log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("prometheus not ready in 30 s: " + log());
    }

    /** An instant PromQL query; the result vector's {@code [labels, value]} samples. */
    List<JsonNode> query(String promql) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode root = JSON.readTree(r.body());
        if (!"success".equals(root.path("status").asString())) {
            throw new IllegalStateException(promql + ": " + r.body());
        }
        return List.copyOf(root.path("data").path("result").values());
    }

    /** The value of a query that yields one sample, or NaN when it yields none. */
    double value(String promql) throws Exception {
        List<JsonNode> samples = query(promql);
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        return Double.parseDouble(samples.getFirst().path("value").get(1).asString());
    }

    /** Polls {@code promql} until its value satisfies {@code condition} (at most {@code seconds}); returns the last value. */
    double await(String promql, java.util.function.DoublePredicate condition, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        double v = value(promql);
        while (!condition.test(v) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            v = value(promql);
        }
        return v;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
