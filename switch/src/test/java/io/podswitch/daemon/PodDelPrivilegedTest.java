package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.CniApi;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.json.ObjectReader;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * DEL answers once the pod is out of the data path and its addresses are released on disk; the
 * kernel's removal of the TAP (tens of milliseconds of RCU grace periods under the RTNL lock) follows
 * on a thread of its own. That must cost nothing in safety: a daemon killed right after DEL's answer
 * leaves no TAP behind, and a runtime that adds the same interface of the same netns again at once
 * (podman network disconnect + connect, a retried sandbox) never meets the old TAP.
 * The requests go straight to the daemon's socket, so the next step follows DEL's answer within a
 * millisecond — well before the kernel is done with the old TAP.
 */
@Tag("privileged")
class PodDelPrivilegedTest {
    /** Far above the ~20–30 ms the kernel takes; the point is "gone", not how fast. */
    private static final Duration GONE_WITHIN = Duration.ofSeconds(10);

    @Test
    void killNineRightAfterDelLeavesNoTap() throws Exception {
        try (DaemonHarness h = new DaemonHarness("IPv4,IPv6")) {
            h.startChild();
            String ns = h.netns("k");
            HttpResponse add = h.post(CniApi.PATH_ADD, request(ns));
            assertEquals(200, add.status(), add.bodyText());
            assertTrue(DaemonHarness.links(ns).contains("eth0"));

            HttpResponse del = h.post(CniApi.PATH_DEL, request(ns));
            h.kill9Child();
            assertEquals(200, del.status(), del.bodyText());
            assertGone(ns);
        }
    }

    @Test
    void addRightAfterDelOfTheSameInterfaceGetsAFreshTap() throws Exception {
        try (DaemonHarness h = new DaemonHarness("IPv4")) {
            h.start();
            String ns = h.netns("r");
            for (int round = 0; round < 5; round++) {
                HttpResponse add = h.post(CniApi.PATH_ADD, request(ns));
                assertEquals(200, add.status(), "round " + round + ": " + add.bodyText());
                HttpResponse del = h.post(CniApi.PATH_DEL, request(ns));
                assertEquals(200, del.status(), "round " + round + ": " + del.bodyText());
            }
            HttpResponse add = h.post(CniApi.PATH_ADD, request(ns));
            assertEquals(200, add.status(), add.bodyText());
            assertEquals(1, h.getJson("/v1/pods").optionalObjectList("pods").size());
            assertTrue(DaemonHarness.ping(ns, h.gateway4()), "the re-added pod reaches its gateway");

            // a second DEL of the same attachment returns only once the TAP is gone
            assertEquals(200, h.post(CniApi.PATH_DEL, request(ns)).status());
            assertEquals(200, h.post(CniApi.PATH_DEL, request(ns)).status());
            assertFalse(DaemonHarness.links(ns).contains("eth0"), DaemonHarness.links(ns));
            for (ObjectReader allocation : h.getJson("/v1/ipam").optionalObjectList("allocations")) {
                assertFalse(allocation.requiredString("containerID").equals("ctr-" + ns), "its addresses are released");
            }
        }
    }

    private static String request(String ns) {
        return "{\"cniVersion\":\"1.0.0\",\"network\":\"" + DaemonHarness.NETWORK + "\",\"containerID\":\"ctr-" + ns
                + "\",\"netns\":\"" + DaemonHarness.netnsPath(ns) + "\",\"ifName\":\"eth0\",\"args\":{}}";
    }

    private static void assertGone(String ns) throws InterruptedException {
        DaemonHarness.assertEth0Gone(ns, GONE_WITHIN, "the TAP outlived DEL and the daemon");
    }
}
