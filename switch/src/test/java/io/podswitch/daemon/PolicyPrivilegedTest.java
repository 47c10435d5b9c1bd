package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.CniApi;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.daemon.cli.ClientCommand;
import io.podswitch.nativeio.Netns;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NetworkPolicy from the cluster file on one podswitchd, the way a file user runs it: the pods are listed by
 * namespace and name only (no addresses), the runtime names them in CNI_ARGS, and the daemon isolates each
 * pod before its ADD answers. db-0 accepts TCP 5432 from app=web only; the node (the host port's address,
 * as a kubelet probe) always reaches it; db-0's own connections out and their replies pass; the policy
 * survives a daemon restart (the pods' names are in pods.json); {@code podswitch policy} explains it.
 */
@Tag("privileged")
class PolicyPrivilegedTest {
    private static final String POLICY = """
            networkPolicy:
              namespaces:
                - {name: shop, labels: {team: blue}}
              pods:
                - {namespace: shop, name: web-0, labels: {app: web}}
                - {namespace: shop, name: db-0, labels: {app: db}, ports: [{name: postgres, containerPort: 5432}]}
                - {namespace: shop, name: other-0, labels: {app: other}}
              policies:
                - metadata: {name: db-from-web, namespace: shop}
                  spec:
                    podSelector: {matchLabels: {app: db}}
                    ingress:
                      - from: [{podSelector: {matchLabels: {app: web}}}]
                        ports: [{port: postgres}]
            """;

    @Test
    void filePolicyOnPodsNamedByTheRuntime() throws Exception {
        List<ServerSocket> servers = new ArrayList<>();
        try (DaemonHarness h = new DaemonHarness("IPv4,IPv6")) {
            Files.writeString(h.dir.resolve("cluster.yaml"), POLICY, StandardOpenOption.APPEND);
            h.start();
            Map<String, String> netns = new HashMap<>();
            Map<String, List<String>> addresses = new HashMap<>();
            for (String pod : List.of("web-0", "db-0", "other-0")) {
                String ns = h.netns(pod.replace("-0", ""));
                Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "ctr-" + ns,
                        "CNI_IFNAME", "eth0", "CNI_NETNS", DaemonHarness.netnsPath(ns), "CNI_PATH", "/opt/cni/bin",
                        "CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=" + pod + ";K8S_POD_UID=u-" + pod));
                DaemonHarness.Cni add = DaemonHarness.plugin(env, h.netconf(""));
                assertEquals(0, add.exit(), add.toString());
                List<String> bare = new ArrayList<>();
                for (ObjectReader ip : add.json().optionalObjectList("ips")) {
                    String a = ip.requiredString("address");
                    bare.add(a.substring(0, a.indexOf('/')));
                }
                netns.put(pod, ns);
                addresses.put(pod, bare);
            }
            servers.add(listen(netns.get("db-0"), 5432));
            servers.add(listen(netns.get("db-0"), 5433));
            servers.add(listen(netns.get("other-0"), 7000));
            for (String family : List.of("4", "6")) {
                String db = address(addresses.get("db-0"), family);
                assertTrue(connects(netns.get("web-0"), db, 5432), "web-0 → db-0:5432 IPv" + family);
                assertTrue(blocked(netns.get("other-0"), db, 5432), "other-0 → db-0:5432 is denied, IPv" + family);
                assertTrue(blocked(netns.get("web-0"), db, 5433), "only the named port, IPv" + family);
                assertTrue(connects(null, db, 5432), "the node (a kubelet probe) reaches db-0, IPv" + family);
                assertTrue(connects(netns.get("db-0"), address(addresses.get("other-0"), family), 7000),
                        "db-0's own connections out pass, replies included, IPv" + family);
            }
            String explained = cli(h, "policy", "pod", "shop/db-0");
            assertTrue(explained.contains("ingress: isolated by shop/db-from-web")
                    && explained.contains("from pods app=web on TCP/postgres"), explained);
            String check = cli(h, "policy", "check", "shop/other-0", "shop/db-0", "tcp/5432");
            assertTrue(check.contains(": denied"), check);
            assertTrue(h.counterSum("policy.shop/db-from-web.ingress_denied_packets") > 0);
            assertTrue(h.counterSum("policy.shop/db-from-web.ingress_allowed_flows") >= 2);

            h.stop();
            h.start(); // re-attaches the pods from pods.json, names included
            String db4 = address(addresses.get("db-0"), "4");
            assertTrue(connects(netns.get("web-0"), db4, 5432), "after a restart: web-0 → db-0");
            assertTrue(blocked(netns.get("other-0"), db4, 5432), "after a restart: other-0 still denied");
        } finally {
            for (ServerSocket s : servers) {
                s.close();
            }
        }
    }

    private static String address(List<String> addresses, String family) {
        return addresses.stream().filter(a -> a.contains(":") == family.equals("6")).findFirst().orElseThrow();
    }

    /** A server that accepts and closes, inside the pod's namespace. */
    private static ServerSocket listen(String ns, int port) {
        ServerSocket s = Netns.call(ns, () -> {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName("::"), port));
            return server;
        });
        Thread.ofVirtual().start(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    c.getOutputStream().write('.');
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        return s;
    }

    /** A TCP connection and its one-byte greeting, from {@code ns} (null: this process's namespace); two tries. */
    private static boolean connects(String ns, String address, int port) {
        return attempt(ns, address, port, 2);
    }

    /** No answer to one connection attempt (a server listens there: only a policy can stop it). */
    private static boolean blocked(String ns, String address, int port) {
        return !attempt(ns, address, port, 1);
    }

    private static boolean attempt(String ns, String address, int port, int tries) {
        java.util.concurrent.Callable<Boolean> attempt = () -> {
            for (int i = 0; i < tries; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getByName(address), port), 1500);
                    s.setSoTimeout(1500);
                    if (s.getInputStream().read() == '.') {
                        return true;
                    }
                } catch (java.io.IOException e) {
                    // denied (timeout) or not (yet) answering: once more
                }
            }
            return false;
        };
        try {
            return ns == null ? attempt.call() : Netns.call(ns, attempt);
        } catch (Exception e) {
            return false;
        }
    }

    private static String cli(DaemonHarness h, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ClientCommand.run(args, Map.of(CniApi.SOCKET_ENV, h.socket().toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
