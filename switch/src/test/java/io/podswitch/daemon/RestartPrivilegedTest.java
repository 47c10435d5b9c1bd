package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.json.ObjectReader;
import io.podswitch.nativeio.NetnsFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kill -9 podswitchd (a child JVM) while one pod pings another, start it again: it re-attaches the
 * pods' persistent TAPs from its registry, the pods keep their addresses and MACs, traffic resumes,
 * nothing is allocated twice; a pod whose netns vanished meanwhile is released. And a DEL cleans up
 * what a crash may leave in a pod's netns.
 */
@Tag("privileged")
class RestartPrivilegedTest {

    @Test
    void killNineAndRestart() throws Exception {
        try (DaemonHarness h = new DaemonHarness("IPv4,IPv6")) {
            h.startChild();
            String a = h.netns("a");
            String b = h.netns("b");
            String gone = h.netns("g");
            List<String> addressesOfB = new ArrayList<>();
            for (String ns : List.of(a, b, gone)) {
                DaemonHarness.Cni add = h.cni("ADD", "ctr-" + ns, ns, h.netconf(""));
                assertEquals(0, add.exit(), add.toString());
                if (ns.equals(b)) {
                    for (ObjectReader ip : add.json().optionalObjectList("ips")) {
                        String cidr = ip.requiredString("address");
                        addressesOfB.add(cidr.substring(0, cidr.indexOf('/')));
                    }
                }
            }
            String pods = podsSummary(h);
            String allocations = allocationSummary(h);
            String target = addressesOfB.getFirst();
            assertTrue(DaemonHarness.ping(a, target));

            Process ping = new ProcessBuilder("ip", "netns", "exec", a, "ping", "-i", "0.1", "-W", "1", "-c", "1000", target)
                    .redirectErrorStream(true).redirectOutput(h.dir.resolve("ping.log").toFile()).start();
            try {
                Thread.sleep(500);
                h.kill9Child();
                NetnsFixture.run("ip", "netns", "del", gone); // the runtime removes a pod while the daemon is down
                long down = System.nanoTime();
                h.startChild();
                long up = System.nanoTime();
                long resumed = -1;
                for (int i = 0; i < 50 && resumed < 0; i++) {
                    if (pingOnce(a, target)) {
                        resumed = System.nanoTime();
                    }
                }
                assertTrue(resumed > 0, "traffic never resumed: " + h.log());
                System.out.printf("restart: daemon down→ready %d ms, ready→traffic %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(up - down), TimeUnit.NANOSECONDS.toMillis(resumed - up));
                assertTrue(TimeUnit.NANOSECONDS.toMillis(resumed - up) < 5_000, "traffic resumed only after "
                        + TimeUnit.NANOSECONDS.toMillis(resumed - up) + " ms");
            } finally {
                ping.destroy();
                ping.waitFor(5, TimeUnit.SECONDS);
            }
            String pingLog = java.nio.file.Files.readString(h.dir.resolve("ping.log"), StandardCharsets.UTF_8);
            assertTrue(pingLog.contains("bytes from"), pingLog);

            // same pods (minus the one whose netns is gone), same addresses and MACs, nothing twice
            String expectedPods = pods.lines().filter(l -> !l.contains("ctr-" + gone)).reduce("", (x, y) -> x + y + "\n");
            assertEquals(expectedPods, podsSummary(h));
            String expectedAllocations = allocations.lines().filter(l -> !l.contains("ctr-" + gone))
                    .reduce("", (x, y) -> x + y + "\n");
            assertEquals(expectedAllocations, allocationSummary(h));

            // both directions and the gateway still work; a new pod gets a fresh address
            assertTrue(DaemonHarness.ping(b, h.gateway4()));
            assertTrue(DaemonHarness.ping(b, h.gateway6()));
            String c = h.netns("c");
            DaemonHarness.Cni add = h.cni("ADD", "ctr-" + c, c, h.netconf(""));
            assertEquals(0, add.exit(), add.toString());
            Set<String> used = new HashSet<>(List.of(allocationSummary(h).split("[\\s,]+")));
            assertEquals(allocationSummary(h).split("[\\s,]+").length, used.size(), "an address allocated twice");
            assertFalse(expectedAllocations.contains(add.json().optionalObjectList("ips").getFirst()
                    .requiredString("address").split("/")[0] + ","));
        }
    }

    /**
     * A daemon killed between creating a pod's TAP and recording the pod forgets the pod, but the TAP
     * (persistent) stays in the pod's netns; the runtime's DEL then finds an unknown attachment and,
     * as the spec asks of DEL, must still remove the interface named CNI_IFNAME there.
     */
    @Test
    void delOfAForgottenAttachmentRemovesTheInterfaceLeftInThePodNetns() throws Exception {
        try (DaemonHarness h = new DaemonHarness("IPv4")) {
            h.start();
            String ns = h.netns("left");
            NetnsFixture.run("ip", "-n", ns, "tuntap", "add", "dev", "eth0", "mode", "tap");
            DaemonHarness.Cni del = h.cni("DEL", "ctr-forgotten", ns, h.netconf(""));
            assertEquals(0, del.exit(), del.toString());
            assertFalse(DaemonHarness.links(ns).contains("eth0"), DaemonHarness.links(ns));
        }
    }

    private static boolean pingOnce(String ns, String target) {
        try {
            NetnsFixture.run("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", target);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** One line per pod: container, addresses, MAC. */
    private static String podsSummary(DaemonHarness h) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (ObjectReader p : h.getJson("/v1/pods").optionalObjectList("pods")) {
            sb.append(p.requiredString("containerID")).append(' ').append(String.join(",", p.optionalStringList("addresses")))
                    .append(' ').append(p.requiredString("mac")).append('\n');
        }
        return sb.toString();
    }

    /** One line per IPAM allocation: container, addresses (comma-terminated). */
    private static String allocationSummary(DaemonHarness h) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (ObjectReader p : h.getJson("/v1/ipam").optionalObjectList("allocations")) {
            sb.append(p.requiredString("containerID")).append(' ');
            for (String address : p.optionalStringList("addresses")) {
                sb.append(address).append(',');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
