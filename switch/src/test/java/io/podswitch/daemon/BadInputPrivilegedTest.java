package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniApi;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.nativeio.NetnsFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bad input, failures midway and concurrency against one dual-stack podswitchd: each error has the
 * right CNI code and leaves nothing behind (no TAP in the pod, no address held).
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputPrivilegedTest {
    private DaemonHarness h;
    private String pod;

    @BeforeAll
    void start() throws Exception {
        h = new DaemonHarness("IPv4,IPv6");
        h.start();
        pod = h.netns("x");
    }

    @AfterAll
    void stop() {
        h.close();
    }

    /** Far above the kernel's ~20–30 ms per TAP, even with 64 closes queued; the point is "gone". */
    private static final Duration TAP_GONE_WITHIN = Duration.ofSeconds(10);

    /**
     * After every case: only the host port holds addresses, no pod is wired, and the pod netns has no
     * eth0 once the daemon's closer thread is through (DEL answers before the kernel removes the TAP).
     */
    @AfterEach
    void nothingLeaked() throws Exception {
        List<ObjectReader> allocations = h.getJson("/v1/ipam").optionalObjectList("allocations");
        assertEquals(1, allocations.size(), "only the host port holds addresses: " + allocations.size());
        assertEquals(Daemon.HOST_CONTAINER_ID, allocations.getFirst().requiredString("containerID"));
        assertEquals(0, h.getJson("/v1/pods").optionalObjectList("pods").size());
        DaemonHarness.assertEth0Gone(pod, TAP_GONE_WITHIN, "a TAP left in the pod netns");
    }

    @Test
    void malformedJson() throws Exception {
        DaemonHarness.Cni r = h.cni("ADD", "bad1", pod, "{\"cniVersion\":\"1.1.0\",");
        assertEquals(1, r.exit());
        assertEquals(6, r.code(), r.toString());
    }

    @Test
    void wrongCniVersion() throws Exception {
        DaemonHarness.Cni r = h.cni("ADD", "bad2", pod, h.netconf("").replace("1.1.0", "0.2.0"));
        assertEquals(1, r.code(), r.toString());
    }

    @Test
    void missingEnvironment() throws Exception {
        DaemonHarness.Cni r = DaemonHarness.plugin(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "bad3",
                "CNI_IFNAME", "eth0"), h.netconf(""));
        assertEquals(4, r.code(), r.toString());
        assertTrue(r.stdout().contains("CNI_NETNS"), r.stdout());
    }

    @Test
    void unknownNetns() throws Exception {
        DaemonHarness.Cni r = h.cni("ADD", "bad4", "/var/run/netns/psd-no-such-" + h.suffix, h.netconf(""));
        assertEquals(4, r.code(), r.toString());
    }

    @Test
    void daemonDown() throws Exception {
        String conf = h.netconf("").replace(h.socket().toString(), h.dir.resolve("no-daemon.sock").toString());
        DaemonHarness.Cni r = h.cni("ADD", "bad5", pod, conf);
        assertEquals(11, r.code(), r.toString());
    }

    @Test
    void badMtuAndMac() throws Exception {
        assertEquals(7, h.cni("ADD", "bad6", pod, h.netconf("\"mtu\":9000")).code());
        assertEquals(7, h.cni("ADD", "bad7", pod, h.netconf("\"args\":{\"cni\":{\"mac\":\"03:00:00:00:00:01\"}}")).code());
    }

    /** The pod already has an eth0 (a veth, not a TAP): the TAP cannot be made, everything done so far is undone. */
    @Test
    void interfaceSetupFailsMidway() throws Exception {
        NetnsFixture.run("ip", "-n", pod, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0peer");
        try {
            DaemonHarness.Cni r = h.cni("ADD", "bad8", pod, h.netconf(""));
            assertEquals(101, r.code(), r.toString());
        } finally {
            NetnsFixture.run("ip", "-n", pod, "link", "del", "eth0");
        }
    }

    /** runtimeConfig ips/mac (capabilities) are honoured; an address outside the node's range is refused (7). */
    @Test
    void requestedAddressesAndMac() throws Exception {
        String v4 = "10.250." + h.octet + ".77";
        String v6 = "fd00:250:0:" + Integer.toHexString(h.octet) + "::77";
        String conf = h.netconf("\"capabilities\":{\"ips\":true,\"mac\":true},\"runtimeConfig\":{\"ips\":[\"" + v4
                + "/24\",\"" + v6 + "/64\"],\"mac\":\"0a:58:00:00:00:77\"}");
        DaemonHarness.Cni add = h.cni("ADD", "static1", pod, conf);
        assertEquals(0, add.exit(), add.toString());
        assertTrue(add.stdout().contains("\"" + v4 + "/24\"") && add.stdout().contains("\"" + v6 + "/64\""), add.stdout());
        assertTrue(add.stdout().contains("0a:58:00:00:00:77"), add.stdout());
        assertTrue(DaemonHarness.links(pod).contains("0a:58:00:00:00:77"));
        assertEquals(0, h.cni("DEL", "static1", pod, conf).exit());
        DaemonHarness.Cni outside = h.cni("ADD", "static2", pod, h.netconf(
                "\"capabilities\":{\"ips\":true},\"runtimeConfig\":{\"ips\":[\"192.0.2.7/24\"]}"));
        assertEquals(7, outside.code(), outside.toString());
    }

    /** Malformed and wrongly shaped API bodies straight to the socket: 400 with code 6 / 7. */
    @Test
    void malformedApiRequests() throws Exception {
        HttpResponse r = h.post(CniApi.PATH_ADD, "{nope");
        assertEquals(400, r.status());
        assertEquals(6, code(r));
        r = h.post(CniApi.PATH_ADD, "{\"cniVersion\":\"1.1.0\"}");
        assertEquals(400, r.status());
        assertEquals(7, code(r));
        r = h.post("/v1/cni/nothing", "{}");
        assertEquals(404, r.status());
        assertEquals(405, h.get(CniApi.PATH_ADD).status());
    }

    private static int code(HttpResponse r) {
        return (int) ObjectReader.of(JsonParser.parse(r.bodyText()), "").optionalLong("code", 0, 1000, -1);
    }

    /** 64 ADDs at once from 64 clients: 64 distinct addresses per family, then 64 DELs at once. */
    @Test
    void sixtyFourParallelAdds() throws Exception {
        List<String> namespaces = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            namespaces.add(h.netns("p" + i));
        }
        List<Callable<HttpResponse>> adds = new ArrayList<>();
        List<Callable<HttpResponse>> dels = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            AttachmentRequest req = new AttachmentRequest("1.1.0", DaemonHarness.NETWORK, "par-" + i,
                    DaemonHarness.netnsPath(namespaces.get(i)), "eth0", 0, null, List.of(), Map.of(), null, null, null, null);
            String json = JsonWriter.write(req.toJson());
            adds.add(() -> h.post(CniApi.PATH_ADD, json));
            dels.add(() -> h.post(CniApi.PATH_DEL, json));
        }
        Set<String> addresses = new HashSet<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<HttpResponse> f : pool.invokeAll(adds)) {
                HttpResponse r = f.get();
                assertEquals(200, r.status(), r.bodyText());
                for (ObjectReader ip : ObjectReader.of(JsonParser.parse(r.bodyText()), "").optionalObjectList("ips")) {
                    assertTrue(addresses.add(ip.requiredString("address")), "allocated twice: " + ip.requiredString("address"));
                }
            }
            assertEquals(128, addresses.size());
            assertEquals(64, h.getJson("/v1/pods").optionalObjectList("pods").size());
            for (Future<HttpResponse> f : pool.invokeAll(dels)) {
                assertEquals(200, f.get().status());
            }
        }
        for (String ns : namespaces) {
            DaemonHarness.assertEth0Gone(ns, TAP_GONE_WITHIN, ns + " kept its TAP");
        }
    }
}
