package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.nativeio.NetnsFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * podswitchd with a configured dual-stack ClusterIP service and a service without backends; two pods wired
 * by the CNI plugin become the backends through the control API, a third pod is the client. Real TCP
 * through the VIP (a tiny Java server/client in the pod namespaces): 300 short IPv4 connections spread
 * within ±20 %, IPv6 through the IPv6 VIP, hairpin (a backend reaching the service, sometimes itself), a
 * refused connection (RST) to the empty service, and a removed backend that new connections avoid. Two
 * workers, so the pods' ports are polled by different workers and replies cross them.
 */
@Tag("privileged")
class ServicesPrivilegedTest {
    private static final String SERVICES = """
            services:
              - name: web
                vips: [10.96.0.10, "fd00:96::10"]
                ports:
                  - {name: http, port: 80, targetPort: 8080}
              - name: empty
                vips: [10.96.0.11]
                ports:
                  - {name: http, port: 80, targetPort: 8080}
            """;

    @Test
    void clusterIpThroughPodswitchd() throws Exception {
        List<Process> servers = new ArrayList<>();
        try (DaemonHarness h = new DaemonHarness("IPv4,IPv6")) {
            h.workers = 2;
            Files.writeString(h.dir.resolve("cluster.yaml"), SERVICES, StandardOpenOption.APPEND);
            h.start();
            Map<String, List<String>> addresses = new HashMap<>();
            for (String name : List.of("b1", "b2", "client")) {
                String ns = h.netns(name);
                DaemonHarness.Cni add = h.cni("ADD", "ctr-" + ns, ns, h.netconf(""));
                assertEquals(0, add.exit(), add.toString());
                List<String> bare = new ArrayList<>();
                for (ObjectReader ip : add.json().optionalObjectList("ips")) {
                    String a = ip.requiredString("address");
                    bare.add(a.substring(0, a.indexOf('/')));
                }
                addresses.put(name, bare);
            }
            String b1 = "psd" + h.suffix + "b1";
            String b2 = "psd" + h.suffix + "b2";
            String client = "psd" + h.suffix + "client";
            servers.add(serve(b1, "b1"));
            servers.add(serve(b2, "b2"));
            for (String backend : List.of("b1", "b2")) {
                for (String address : addresses.get(backend)) {
                    HttpResponse r = endpoint(h, "POST", address);
                    assertEquals(200, r.status(), r.bodyText());
                }
            }

            Map<String, Integer> v4 = connect(client, "10.96.0.10", 300);
            assertEquals(300, v4.getOrDefault("b1", 0) + v4.getOrDefault("b2", 0), "all answered: " + v4);
            for (String b : List.of("b1", "b2")) {
                assertTrue(Math.abs(v4.get(b) - 150) <= 30, "spread within ±20 %: " + v4);
            }
            Map<String, Integer> v6 = connect(client, "fd00:96::10", 60);
            assertEquals(60, v6.getOrDefault("b1", 0) + v6.getOrDefault("b2", 0), "IPv6 all answered: " + v6);

            Map<String, Integer> hairpin = connect(b1, "10.96.0.10", 40);
            assertEquals(40, hairpin.getOrDefault("b1", 0) + hairpin.getOrDefault("b2", 0), "hairpin: " + hairpin);
            assertTrue(hairpin.getOrDefault("b1", 0) > 0, "some connections of b1 reached b1 itself: " + hairpin);

            System.out.println("IPv4 VIP: " + v4 + ", IPv6 VIP: " + v6 + ", hairpin from b1: " + hairpin);
            Map<String, Integer> empty = connect(client, "10.96.0.11", 3);
            assertEquals(3, empty.getOrDefault("refused", 0), "no backend: RST: " + empty);

            for (String address : addresses.get("b2")) {
                assertEquals(200, endpoint(h, "DELETE", address).status());
            }
            Map<String, Integer> after = connect(client, "10.96.0.10", 50);
            assertEquals(Map.of("b1", 50), after, "new connections avoid the removed backend");

            long balanced = h.counterSum("services.web:http:v4.new_connections");
            assertTrue(balanced >= 390, "per-service counters: " + balanced + " new connections for 390 made; "
                    + serviceCounters(h));
            assertTrue(h.counterSum("services.empty:http:v4.no_backend") >= 3);
            assertTrue(h.counterSum("service.hairpin") > 0);
            String listing = NetnsFixture.run(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.podswitch.daemon.cli.ClientCommand", "services",
                    "--socket", h.socket().toString());
            assertTrue(listing.contains("web:http:v4"), listing);
        } finally {
            for (Process p : servers) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Every counter of the service path (per key, per worker graph), for a failure to be read from. */
    private static String serviceCounters(DaemonHarness h) throws Exception {
        StringBuilder b = new StringBuilder();
        ObjectReader counters = h.getJson("/v1/counters").optionalObject("counters");
        for (String name : counters.object().members().keySet()) {
            if (name.contains("service") && !name.endsWith(".no_backend")) {
                long v = counters.optionalLong(name, Long.MIN_VALUE, Long.MAX_VALUE, 0);
                if (v != 0) {
                    b.append(name).append('=').append(v).append(' ');
                }
            }
        }
        return b.toString().trim();
    }

    private static HttpResponse endpoint(DaemonHarness h, String method, String address) throws Exception {
        byte[] body = ("{\"service\":\"web\",\"address\":\"" + address + "\"}").getBytes(StandardCharsets.UTF_8);
        return new UnixHttpClient(h.socket(), TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT).exchange(
                new HttpRequest(method, "/v1/services/endpoints", Map.of("content-type", "application/json"), body),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    private static List<String> java(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                ServiceProbe.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the probe server in {@code ns} and waits until it listens. */
    private static Process serve(String ns, String name) throws Exception {
        Process p = new ProcessBuilder(java(ns, "serve", name, "8080")).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"listening".equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException("probe server in " + ns + " did not start: " + line);
        }
        return p;
    }

    private static Map<String, Integer> connect(String ns, String host, int count) {
        String out = NetnsFixture.run(java(ns, "connect", host, "80", Integer.toString(count)).toArray(String[]::new));
        Map<String, Integer> seen = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                seen.put(line.substring(0, eq), Integer.parseInt(line.substring(eq + 1).trim()));
            }
        }
        return seen;
    }
}
