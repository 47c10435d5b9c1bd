package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.Netns;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ClusterIP services end to end through podswitchd (dual-stack cluster): a client pod and three
 * backend pods wired by the CNI plugin, services in cluster.yaml. Short TCP connections to the
 * ClusterIP spread over the backends; IPv6 ClusterIP; a backend reaching a service backed only by
 * itself (hairpin); a service without backends refuses connections at once (RST, not a timeout);
 * a direct connection that reuses the client port of a finished service flow is left alone.
 * Servers and clients are sockets of this JVM opened inside the pods' namespaces.
 */
@Tag("privileged")
class ServicePrivilegedTest {

    private static final int TARGET_PORT = 8080;
    private static final int CONNECTIONS = 1000;
    private static final String WEB4 = "10.96.0.10";
    private static final String WEB6 = "fd00:96::a";
    private static final String SELF4 = "10.96.0.11";
    private static final String EMPTY4 = "10.96.0.12";

    /** The pods of one test: client and three backends, with their addresses ({IPv4, IPv6}). */
    private record Pods(String client, List<String> backends, List<String[]> addresses) {
    }

    /** Wires the pods, writes the services, restarts the daemon to load them, starts the servers. */
    private static Pods setUp(DaemonHarness h, List<ServerSocket> servers) throws Exception {
        h.start();
        String client = h.netns("c");
        List<String> backends = List.of(h.netns("b0"), h.netns("b1"), h.netns("b2"));
        add(h, client);
        List<String[]> addresses = new ArrayList<>();
        for (String b : backends) {
            addresses.add(add(h, b));
        }
        StringBuilder web = new StringBuilder();
        for (String[] a : addresses) {
            web.append("      - {address: ").append(a[0]).append("}\n      - {address: \"").append(a[1]).append("\"}\n");
        }
        h.writeServices("services:\n"
                + "  - name: web\n    vips: [" + WEB4 + ", \"" + WEB6 + "\"]\n"
                + "    ports:\n      - {name: http, protocol: TCP, port: 80, targetPort: " + TARGET_PORT + "}\n"
                + "    backends:\n" + web
                + "  - name: self\n    vips: [" + SELF4 + "]\n"
                + "    ports:\n      - {name: http, protocol: TCP, port: 80, targetPort: " + TARGET_PORT + "}\n"
                + "    backends:\n      - {address: " + addresses.getFirst()[0] + "}\n"
                + "  - name: empty\n    vips: [" + EMPTY4 + "]\n"
                + "    ports:\n      - {name: http, protocol: TCP, port: 80, targetPort: " + TARGET_PORT + "}\n"
                + "    backends: []\n");
        h.stop();
        h.start(); // the pods are re-attached, the services loaded
        for (int i = 0; i < backends.size(); i++) {
            servers.add(server(backends.get(i), "b" + i));
        }
        return new Pods(client, backends, addresses);
    }

    @Test
    void clusterIpServicesBalanceHairpinAndRefuse() throws Exception {
        List<ServerSocket> servers = new ArrayList<>();
        try (DaemonHarness h = new DaemonHarness("IPv4,IPv6")) {
            Pods pods = setUp(h, servers);
            String client = pods.client();

            Map<String, Integer> spread = connect(client, WEB4, 80, CONNECTIONS, null).replies();
            assertEquals(CONNECTIONS, spread.values().stream().mapToInt(Integer::intValue).sum(), spread.toString());
            assertEquals(3, spread.size(), spread.toString());
            for (int n : spread.values()) {
                assertTrue(Math.abs(n - CONNECTIONS / 3.0) <= 0.2 * CONNECTIONS / 3.0, "within ±20 %: " + spread);
            }

            Map<String, Integer> six = connect(client, WEB6, 80, 60, null).replies();
            assertEquals(60, six.values().stream().mapToInt(Integer::intValue).sum(), "IPv6 ClusterIP: " + six);
            assertTrue(six.size() >= 2, "IPv6 ClusterIP spreads: " + six);

            assertEquals(Map.of("b0", 10), connect(pods.backends().getFirst(), SELF4, 80, 10, null).replies(),
                    "hairpin: b0 → its own service");

            long start = System.nanoTime();
            assertThrows(ConnectException.class, () -> connect(client, EMPTY4, 80, 1, null), "no backends: refused");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 1000, "refused at once (RST), not after a timeout: " + millis + " ms");
        } finally {
            for (ServerSocket s : servers) {
                s.close();
            }
        }
    }

    /**
     * A service flow client:p → VIP → b0 ends with an RST; then the client connects to b0's own
     * address from the same port p (a new, non-service connection, as the kernel allows at once).
     * b0's replies must reach the client from b0's address, not be un-DNATed to the VIP by the
     * finished service flow's conntrack entry (the kernel's conntrack replaces a closed entry when a
     * new SYN reuses its tuple).
     */
    @Test
    void directConnectionReusingAFinishedServiceFlowsPortIsNotTranslated() throws Exception {
        List<ServerSocket> servers = new ArrayList<>();
        try (DaemonHarness h = new DaemonHarness("IPv4,IPv6")) {
            Pods pods = setUp(h, servers);
            Outcome viaService = connect(pods.client(), WEB4, 80, 30, null);
            List<Integer> portsToB0 = viaService.localPorts().get("b0");
            assertTrue(portsToB0 != null && !portsToB0.isEmpty(), "some service flows went to b0: " + viaService.replies());
            int port = portsToB0.getFirst();
            Outcome direct;
            try {
                direct = connect(pods.client(), pods.addresses().getFirst()[0], TARGET_PORT, 1, port);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("direct connection from port " + port + " to b0 timed out: b0's SYN-ACK was "
                        + "translated by the finished service flow's conntrack entry (it reaches the client from "
                        + WEB4 + ":80, which answers with an RST)", e);
            }
            assertEquals(Map.of("b0", 1), direct.replies(), "direct connection from port " + port);
        } finally {
            for (ServerSocket s : servers) {
                s.close();
            }
        }
    }

    /** CNI ADD; returns {IPv4, IPv6} of the pod. */
    private static String[] add(DaemonHarness h, String ns) throws Exception {
        DaemonHarness.Cni add = h.cni("ADD", "ctr-" + ns, ns, h.netconf(""));
        assertEquals(0, add.exit(), add.toString());
        String[] out = new String[2];
        for (var ip : add.json().optionalObjectList("ips")) {
            String a = ip.requiredString("address");
            out[a.contains(":") ? 1 : 0] = a.substring(0, a.indexOf('/'));
        }
        return out;
    }

    /** A dual-stack server in {@code ns} that answers every connection with {@code id} and closes. */
    private static ServerSocket server(String ns, String id) {
        ServerSocket listener = Netns.call(ns, () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("::"), TARGET_PORT), 1024);
            return s;
        });
        byte[] reply = (id + "\n").getBytes(StandardCharsets.US_ASCII);
        for (int t = 0; t < 2; t++) {
            Thread.ofPlatform().daemon().name("server-" + id + "-" + t).start(() -> {
                while (!listener.isClosed()) {
                    try (Socket c = listener.accept()) {
                        c.setSoTimeout(5000);
                        c.getInputStream().read();
                        c.getOutputStream().write(reply);
                    } catch (IOException e) {
                        // closed listener, or the client reset: next
                    }
                }
            });
        }
        return listener;
    }

    /** Replies per backend id, and the client ports whose connection each backend answered. */
    private record Outcome(Map<String, Integer> replies, Map<String, List<Integer>> localPorts) {
    }

    /**
     * {@code count} short connections from {@code ns} to {@code address}:{@code port}, each closed
     * with an RST (SO_LINGER 0: no TIME_WAIT); from {@code localPort} when not null.
     */
    private static Outcome connect(String ns, String address, int port, int count, Integer localPort) throws IOException {
        try {
            return Netns.call(ns, () -> {
                Map<String, Integer> seen = new TreeMap<>();
                Map<String, List<Integer>> ports = new TreeMap<>();
                for (int i = 0; i < count; i++) {
                    try (Socket s = new Socket()) {
                        s.setSoLinger(true, 0);
                        s.setSoTimeout(3000);
                        if (localPort != null) {
                            s.setReuseAddress(true);
                            s.bind(new InetSocketAddress(localPort));
                        }
                        s.connect(new InetSocketAddress(InetAddress.getByName(address), port), 3000);
                        s.getOutputStream().write('x');
                        String id = readLine(s.getInputStream());
                        seen.merge(id, 1, Integer::sum);
                        ports.computeIfAbsent(id, k -> new ArrayList<>()).add(s.getLocalPort());
                    }
                }
                return new Outcome(seen, ports);
            });
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            b.append((char) c);
        }
        return b.toString();
    }
}
