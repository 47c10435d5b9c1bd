package io.podswitch.daemon.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.daemon.api.ControlThread;
import io.podswitch.daemon.kubernetes.watch.WatchHealth;
import io.podswitch.testapi.ApiRequest;
import io.podswitch.testapi.TestApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podswitchd lists every resource in pages ({@code limit}, then {@code continue} to the end), as the API server
 * serves them: one unpaged list of 100,000 pods (~200 MB) killed the daemon at -Xmx1g (aa9d660). The test API
 * server serves each resource as a bulk list with kube-apiserver's paging and records the requests; the test
 * checks that each list asked for pages of {@link KubernetesSource#LIST_PAGE}, followed every {@code continue}
 * token in order, and that the cache holds every object of every page.
 */
class KubernetesListPagingTest {
    private static final int PAGE = Math.toIntExact(KubernetesSource.LIST_PAGE);

    @TempDir
    Path dir;
    private TestApiServer api;
    private KubernetesSource source;
    private final ControlThread control = new ControlThread();

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        control.close();
        if (api != null) {
            api.close();
        }
    }

    /** One bulk-served resource: its list path, kind, object count and minimal object. */
    private record Served(String resource, String path, String apiVersion, String kind, int count,
                          IntFunction<String> item) {
    }

    private static String meta(String name, String namespace) {
        return "\"metadata\":{\"name\":\"" + name + "\"" + (namespace == null ? "" : ",\"namespace\":\"" + namespace + "\"")
                + ",\"resourceVersion\":\"1\"}";
    }

    @Test
    void everyResourceIsListedInPagesFollowingContinueToTheEnd() throws Exception {
        api = TestApiServer.startLocal();
        List<Served> served = List.of(
                new Served("pods", "/api/v1/pods", "v1", "Pod", 2 * PAGE + 234,
                        i -> "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"," + meta("p" + i, "ns-" + i % 7)
                                + ",\"spec\":{\"nodeName\":\"n" + i % 5 + "\"},\"status\":{\"podIP\":\"10.244."
                                + (i / 250) + "." + (1 + i % 250) + "\"}}"),
                new Served("nodes", "/api/v1/nodes", "v1", "Node", PAGE + 1,
                        i -> "{\"apiVersion\":\"v1\",\"kind\":\"Node\"," + meta("n" + i, null) + "}"),
                new Served("services", "/api/v1/services", "v1", "Service", PAGE + 1,
                        i -> "{\"apiVersion\":\"v1\",\"kind\":\"Service\"," + meta("s" + i, "default") + "}"),
                new Served("endpointslices", "/apis/discovery.k8s.io/v1/endpointslices", "discovery.k8s.io/v1",
                        "EndpointSlice", PAGE + 1, i -> "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\","
                        + meta("s" + i + "-abc", "default") + ",\"addressType\":\"IPv4\",\"endpoints\":[]}"),
                new Served("namespaces", "/api/v1/namespaces", "v1", "Namespace", PAGE + 1,
                        i -> "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\"," + meta("ns-" + i, null) + "}"),
                new Served("networkpolicies", "/apis/networking.k8s.io/v1/networkpolicies", "networking.k8s.io/v1",
                        "NetworkPolicy", PAGE + 1, i -> "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\","
                        + meta("np" + i, "ns-" + i % 7) + ",\"spec\":{\"podSelector\":{}}}"));
        for (Served s : served) {
            api.dispatcher().bulkLists().serve(s.path(), s.apiVersion(), s.kind(), s.count(), s.item(), "1");
        }
        ClusterConfig cluster = ConfigLoader.parse("""
                source: kubernetes
                ipFamilies: [IPv4]
                podCIDRs: [10.244.0.0/16]
                serviceCIDRs: [10.96.0.0/16]
                nodeCIDRs: [192.168.1.0/24]
                node: n1
                """, "cluster.yaml", Map.of());
        source = KubernetesSource.connect(cluster, Optional.of(TestApiServer.writeKubeconfig(dir.resolve("kubeconfig"),
                api.url())), control::post);
        Map<String, Integer> expected = new LinkedHashMap<>();
        served.forEach(s -> expected.put(s.resource(), s.count()));
        Eventually.until(Duration.ofSeconds(60), () -> cached().equals(expected), () -> "cached " + cached());

        for (Served s : served) {
            List<ApiRequest> lists = api.dispatcher().requests().stream()
                    .filter(r -> r.list() && r.resource().equals(s.resource())).toList();
            List<String> asked = new ArrayList<>();
            List<String> pages = new ArrayList<>();
            for (ApiRequest r : lists) {
                asked.add(r.limit().map(String::valueOf).orElse("no limit") + " from " + r.continueToken().orElse("start"));
            }
            for (int from = 0; from < s.count(); from += PAGE) {
                pages.add(PAGE + " from " + (from == 0 ? "start" : Integer.toString(from)));
            }
            assertEquals(pages, asked, s.resource() + ": pages of " + PAGE + ", each continue token followed, to the end");
        }
    }

    /** Objects per resource in the informer caches (as sampled each second), once every one has listed. */
    private Map<String, Integer> cached() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (WatchHealth w : source.status().watches()) {
            if (w.synced()) {
                out.put(w.resource(), w.items());
            }
        }
        return out;
    }
}
