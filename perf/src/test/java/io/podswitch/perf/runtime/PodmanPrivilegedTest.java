package io.podswitch.perf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.perf.bench.side.PodNetwork;
import io.podswitch.perf.sides.CniInstallation;
import io.podswitch.perf.sides.PodswitchdPodNetwork;
import io.podswitch.perf.topo.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Real containers on podswitch through a real runtime: Debian's podman 4.3.1 (CNI backend, runc), the
 * plugin and the shipped conflist as {@code podswitch install-cni} installs them, podswitchd as its
 * own process. Dual-stack: containers ping and talk TCP over IPv4 and IPv6, {@code podman inspect}
 * shows the addresses podswitchd allocated, {@code -p HOST:CONTAINER} works through the chained
 * portmap plugin, {@code --rm} releases the address, running containers talk again after a kill -9 of
 * podswitchd, a container whose conmon and process were killed is cleaned up by {@code podman rm -f}
 * (DEL) — and the same conflist with {@code cniVersion} 1.1.0 fails exactly as podman 4 users saw it
 * fail, leaking nothing. IPv4-only and IPv6-only clusters get one container each. Few containers on
 * purpose: every podman start costs about a second.
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanPrivilegedTest {
    static final String NETWORK = "podswitch";
    static final String IMAGE = Podman.IMAGE;

    Podman podman;

    @BeforeAll
    void importImage() throws Exception {
        // the launcher install-cni wrote, then Debian's reference plugins (portmap)
        podman = new Podman(Files.createTempDirectory("podswitch-podman-"),
                List.of(CniInstallation.shared().binDir(), Path.of("/usr/lib/cni")));
        podman.importBusybox();
    }

    @AfterAll
    void removeEverything() {
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void dualStackContainersTalkExposePortsSurviveADaemonCrashAndGiveBackTheirAddresses() throws Exception {
        try (PodNetwork node = PodswitchdPodNetwork.start("IPv4,IPv6", 64)) {
            podman.addNetwork("10-podswitch.conflist", node.conflist(NETWORK));
            String net = "--network=" + NETWORK;
            int hostPort = ThreadLocalRandom.current().nextInt(20000, 30000);
            // b answers every TCP connection with its host name: a reply proves which container answered
            String a = podman.runDetached(net, IMAGE, "sleep", "600");
            String b = podman.runDetached(net, "-p", hostPort + ":8080", IMAGE, "nc", "-ll", "-p", "8080",
                    "-e", "/bin/hostname");
            String bName = podman.inspect(b, "{{.Config.Hostname}}");

            Map<String, List<String>> pods = node.pods();
            for (String c : List.of(a, b)) {
                assertEquals(List.of(podman.address(c, NETWORK, false), podman.address(c, NETWORK, true)), pods.get(c),
                        "podman inspect and podswitchd agree on " + c);
            }
            String b4 = pods.get(b).get(0);
            String b6 = pods.get(b).get(1);
            assertTrue(b4.startsWith("10.204.") && b6.startsWith("fd00:204:"), pods.toString());

            podman.ok("exec", a, "ping", "-c", "1", "-W", "2", b4);
            podman.ok("exec", a, "ping", "-c", "1", "-W", "2", b6);
            assertEquals(bName, podman.ok("exec", a, "nc", b4, "8080"));
            assertEquals(bName, podman.ok("exec", a, "nc", b6, "8080"));

            // -p HOST:CONTAINER through the chained portmap plugin: the node connects to its own address
            String host4 = node.hostAddress(false);
            assertEquals(bName, Exec.run(List.of("busybox", "nc", host4, Integer.toString(hostPort)),
                    Duration.ofSeconds(30)).strip(), "hostPort " + hostPort + " on " + host4);

            // --rm: the address is held while the container runs and released (DEL) once it is gone
            String rmOut = podman.ok("run", "--rm", net, IMAGE, "ip", "-o", "-4", "addr", "show", "eth0");
            String rmAddress = rmOut.split("inet ")[1].split("/")[0];
            assertTrue(rmAddress.startsWith("10.204."), rmOut);
            assertFalse(addresses(node).contains(rmAddress), rmAddress + " still allocated after --rm");

            // podswitchd kill -9ed and started again: the running containers keep their addresses and talk
            node.kill9();
            node.restart();
            Map<String, List<String>> after = new HashMap<>(node.pods());
            after.keySet().retainAll(pods.keySet());
            assertEquals(pods, after);
            podman.ok("exec", a, "ping", "-c", "1", "-W", "2", b6);
            assertEquals(bName, podman.ok("exec", a, "nc", b4, "8080"));

            // a container whose conmon and process were killed: podman rm -f still runs DEL
            String e = podman.runDetached(net, IMAGE, "sleep", "600");
            List<String> eAddresses = node.pods().get(e);
            Exec.run(List.of("sh", "-c", "kill -9 " + podman.inspect(e, "{{.State.ConmonPid}} {{.State.Pid}}")));
            // podman 4.3: the first rm only learns the container is gone ("could not be stopped"), the next
            // removes it and tears its network down
            if (podman.podman("rm", "--force", "--time", "0", e).exitCode() != 0) {
                podman.ok("rm", "--force", "--time", "0", e);
            }
            assertFalse(node.pods().containsKey(e), "DEL reached podswitchd for the crashed container");
            for (String address : eAddresses) {
                assertFalse(addresses(node).contains(address), address + " of the crashed container still allocated");
            }

            // the documented conflist of before, cniVersion 1.1.0 (podswitch-cni alone: Debian's portmap 1.1.1
            // speaks only up to 1.0.0, podman would refuse the network at load): podman 4's libcni 1.1.2
            // rejects the result as users saw it, and the runtime's DEL undoes the ADD
            podman.addNetwork("20-psw11.conflist", only110(node.conflist("psw11")));
            List<String> before = addresses(node);
            Exec.Result failed = podman.podman("run", "--rm", "--network=psw11", IMAGE, "true");
            assertNotEquals(0, failed.exitCode(), failed.stdout());
            assertTrue(failed.stderr().contains("unsupported CNI result version \"1.1.0\""), failed.stderr());
            assertEquals(before, addresses(node), "a failed ADD is undone by the runtime's DEL");

            podman.ok("rm", "--force", "--time", "0", a, b);
            assertEquals(Map.of(), node.pods(), "every container's DEL reached podswitchd");
            assertEquals(1, node.allocations().size(), "only the host port's addresses remain: " + node.allocations());
        }
    }

    @Test
    void singleFamilyClustersGiveEachContainerOneAddressOfTheirFamily() throws Exception {
        CompletableFuture<PodNetwork> v6start = CompletableFuture.supplyAsync(() -> start("IPv6"));
        try (PodNetwork v4 = PodswitchdPodNetwork.start("IPv4", 16); PodNetwork v6 = v6start.join()) {
            podman.addNetwork("30-psw4.conflist", v4.conflist("psw4"));
            podman.addNetwork("31-psw6.conflist", v6.conflist("psw6"));
            for (PodNetwork node : List.of(v4, v6)) {
                boolean ipv6 = node == v6;
                String net = ipv6 ? "psw6" : "psw4";
                String c = podman.runDetached("--network=" + net, IMAGE, "sleep", "600");
                assertEquals(List.of(podman.address(c, net, ipv6)), node.pods().get(c));
                assertEquals("", podman.address(c, net, !ipv6), net + " gives one family only");
                podman.ok("exec", c, "ping", "-c", "1", "-W", "2", node.gateway(ipv6));
                podman.ok("rm", "--force", "--time", "0", c);
                assertEquals(Map.of(), node.pods());
            }
        }
    }

    /** {@code conflist} with cniVersion 1.1.0, no cniVersions and only its first (podswitch-cni) plugin. */
    private static String only110(String conflist) {
        ObjectNode list = (ObjectNode) JsonCodec.tree(conflist);
        list.put("cniVersion", "1.1.0");
        list.remove("cniVersions");
        JsonNode first = list.get("plugins").get(0);
        list.putArray("plugins").add(first);
        return JsonCodec.text(list);
    }

    private static PodNetwork start(String families) {
        try {
            return PodswitchdPodNetwork.start(families, 16);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> addresses(PodNetwork node) throws Exception {
        return node.allocations().values().stream().flatMap(List::stream).toList();
    }
}
