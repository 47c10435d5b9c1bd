package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.json.ObjectReader;
import io.podswitch.nativeio.NetnsFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * podswitchd as Prometheus and the kubelet see it: a real Prometheus scrapes a running daemon, and
 * PromQL returns what the test's own traffic moved — the receive rate of a pod's port while iperf3 runs,
 * the bytes it sent, drops by reason after malformed frames. The probes flip as the daemon starts, loses
 * its data plane (the host TAP set down) and recovers (set up: routes restored, the node reaches its pods).
 */
@Tag("privileged")
class MetricsPrivilegedTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A bound on a hang, never a speed: each wait returns once its condition holds (2 cores, load 20+). */
    private static final int AWAIT_SECONDS = 30;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void prometheusSeesTheTrafficAndProbesFollowTheDataPlane() throws Exception {
        try (DaemonHarness h = new DaemonHarness("IPv4")) {
            Files.createDirectories(h.dir.resolve("run"));
            h.metricsAddress = "127.0.0.1:" + freePort();
            InetSocketAddress metrics = new InetSocketAddress("127.0.0.1", Integer.parseInt(h.metricsAddress.split(":")[1]));
            List<Integer> readyBeforeStart = startWatchingReadiness(h, metrics);
            assertTrue(readyBeforeStart.stream().allMatch(s -> s == 503),
                    "/readyz answered " + readyBeforeStart + " while the daemon was starting (503 until ready)");
            assertEquals(200, get(metrics, "/readyz").statusCode());
            assertEquals(200, get(metrics, "/healthz").statusCode());

            String a = h.netns("a");
            String b = h.netns("b");
            // pod a named as the kubelet names it: its port's series carry pod_namespace and pod_name
            String aAddress = address(h.cni("ADD", "ctr-a", a, h.netconf(""),
                    "IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-a"));
            String bAddress = address(h.cni("ADD", "ctr-b", b, h.netconf("")));

            try (PrometheusServer prometheus = PrometheusServer.start(h.dir.resolve("prometheus"), metrics)) {
                assertEquals(1.0, prometheus.await("up{job=\"podswitch\"}", v -> v == 1.0, AWAIT_SECONDS),
                        "Prometheus scrapes podswitchd: " + prometheus.log());

                // iperf3 a -> b: the switch receives a's stream on a's port
                NetnsFixture.run("ip", "netns", "exec", b, "iperf3", "-s", "-1", "-D", "-p", "5201");
                Thread.sleep(300);
                String report = NetnsFixture.run("ip", "netns", "exec", a, "iperf3", "-c", bAddress, "-p", "5201",
                        "-t", "3", "-J");
                // What the receiver got (the client's report carries the server's sum_received): every byte of
                // it crossed pod a's port into the switch, inside frames that count their headers too. Not
                // sum_sent: that counts bytes written into the sender's socket, and iperf3 ends the test with
                // some of them unsent or unread (seen: 48 KB of 1.09 GB never crossed the switch).
                long sent = JSON.readTree(report).path("end").path("sum_received").path("bytes").asLong();
                assertTrue(sent > 1_000_000, "iperf3 moved data: " + sent);
                String aRx = "podswitch_port_receive_bytes_total{kind=\"pod\",container_id=\"ctr-a\","
                        + "pod_namespace=\"shop\",pod_name=\"web-a\"}";
                double moved = prometheus.await("max_over_time(" + aRx + "[1m]) - min_over_time(" + aRx + "[1m])",
                        v -> v >= sent, AWAIT_SECONDS);
                assertTrue(moved >= sent, "Prometheus saw pod a's port receive " + moved + " bytes; iperf3's receiver got " + sent);
                double peakRate = prometheus.value("max_over_time(rate(" + aRx + "[3s])[1m:1s])");
                assertTrue(peakRate > 0, "rate() of pod a's port while iperf3 ran: " + peakRate);
                assertTrue(prometheus.value("sum(podswitch_port_transmit_packets_total{container_id=\"ctr-b\",pod_namespace=\"\"})") > 0,
                        "pod b, ADDed without K8S_POD_* args, has empty pod labels");

                // malformed frames: IPv4 headers with a wrong checksum, dropped and counted by reason
                String drops = "sum(podswitch_graph_node_events_total{node=\"ip4-input\",reason=\"bad_checksum\"})";
                double before = prometheus.await(drops, v -> !Double.isNaN(v), AWAIT_SECONDS);
                sendBadChecksumFrames(a, h.gateway4(), aAddress, bAddress, 40);
                double after = prometheus.await(drops, v -> v >= before + 40, AWAIT_SECONDS);
                assertTrue(after >= before + 40, "bad_checksum drops " + before + " -> " + after);

                // the data plane lost and back: the host TAP set down, then up
                NetnsFixture.run("ip", "link", "set", h.hostPort, "down");
                HttpResponse<String> down = awaitStatus(metrics, "/readyz?verbose", 503);
                assertTrue(down.body().contains("[-]dataplane failed: host port " + h.hostPort + " is down"), down.body());
                assertEquals(200, get(metrics, "/healthz").statusCode(), "liveness is not readiness: no restart");
                assertEquals(0.0, prometheus.await("podswitch_health_check{probe=\"readyz\",check=\"dataplane\"}",
                        v -> v == 0.0, AWAIT_SECONDS));
                NetnsFixture.run("ip", "link", "set", h.hostPort, "up");
                HttpResponse<String> up = awaitStatus(metrics, "/readyz?verbose", 200);
                assertTrue(up.body().contains("[+]dataplane ok"), up.body());
                assertTrue(NetnsFixture.run("ip", "route", "show", "dev", h.hostPort).contains("10.250." + h.octet + ".0/24"),
                        "kernel route to the pods restored");
                assertTrue(DaemonHarness.ping(null, bAddress), "node -> pod b after the host port came back");
            }
        }
    }

    /**
     * Starts the daemon on another thread and polls /readyz meanwhile: returns what it answered before the
     * daemon was up (never 200: the control socket must already answer when /readyz first says 200).
     */
    private List<Integer> startWatchingReadiness(DaemonHarness h, InetSocketAddress metrics) throws Exception {
        List<Integer> seen = new ArrayList<>();
        Thread starter = Thread.ofPlatform().start(() -> {
            try {
                h.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (starter.isAlive()) {
            try {
                HttpResponse<String> r = get(metrics, "/readyz");
                if (r.statusCode() == 200) {
                    assertTrue(Files.exists(h.socket()), "/readyz said ready before the control socket existed");
                    break;
                }
                seen.add(r.statusCode());
            } catch (IOException notListening) {
                Thread.sleep(5);
            }
        }
        starter.join(TimeUnit.SECONDS.toMillis(60));
        return seen;
    }

    private HttpResponse<String> get(InetSocketAddress at, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitStatus(InetSocketAddress at, String path, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        HttpResponse<String> r = get(at, path);
        while (r.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            r = get(at, path);
        }
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        return r;
    }

    private static String address(DaemonHarness.Cni add) {
        assertEquals(0, add.exit(), add.toString());
        ObjectReader ip = add.json().optionalObjectList("ips").getFirst();
        String cidr = ip.requiredString("address");
        return cidr.substring(0, cidr.indexOf('/'));
    }

    /**
     * Raw Ethernet frames out of the pod's eth0 to its gateway's MAC (AF_PACKET, python3): IPv4/UDP with a
     * wrong header checksum.
     */
    private static void sendBadChecksumFrames(String ns, String gateway, String source, String destination, int count) {
        DaemonHarness.ping(ns, gateway);
        String neighbour = NetnsFixture.run("ip", "-n", ns, "neigh", "show", gateway);
        String[] words = neighbour.trim().split("\\s+");
        String gatewayMac = words[java.util.Arrays.asList(words).indexOf("lladdr") + 1];
        String mac = NetnsFixture.run("ip", "netns", "exec", ns, "cat", "/sys/class/net/eth0/address").strip();
        String script = """
                import socket, struct, sys
                src, dst, mac, gw, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                s.bind(("eth0", 0))
                eth = bytes.fromhex(gw.replace(":", "")) + bytes.fromhex(mac.replace(":", "")) + b"\\x08\\x00"
                udp = struct.pack("!HHHH", 40000, 9, 8 + 4, 0) + b"bad!"
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0xdead,
                                 socket.inet_aton(src), socket.inet_aton(dst))
                for _ in range(n):
                    s.send(eth + ip + udp)
                """;
        NetnsFixture.run("ip", "netns", "exec", ns, "python3", "-c", script, source, destination, mac, gatewayMac,
                Integer.toString(count));
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
