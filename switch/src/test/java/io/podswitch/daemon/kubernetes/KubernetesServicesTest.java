package io.podswitch.daemon.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.daemon.api.ControlThread;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.ServiceId;
import io.podswitch.daemon.kubernetes.services.ServiceTarget;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.testapi.TestApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Services and EndpointSlices on the test API server → what the service manager is asked to do, through the
 * production path (client, informers, reconciler on the control thread): one apply per changed service,
 * nothing for what did not change, a remove when a service goes or stops being servable.
 */
class KubernetesServicesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private TestApiServer api;
    private KubernetesClient admin;
    private final ControlThread control = new ControlThread();
    private KubernetesSource source;
    private final Recorder table = new Recorder();

    /** The service manager as the reconciler sees it: every call recorded, the last applied state per service. */
    static final class Recorder implements ServiceTarget {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final Map<ServiceId, DesiredService> held = new ConcurrentHashMap<>();

        @Override
        public void apply(DesiredService service) {
            if (service.ports().stream().anyMatch(p -> p.nodePort() == 31999)) {
                throw new IllegalArgumentException("node port 31999 is held by another service");
            }
            calls.add("apply " + service.id());
            held.put(service.id(), service);
        }

        @Override
        public void remove(ServiceId id) {
            calls.add("remove " + id);
            held.remove(id);
        }

        List<String> endpoints(String id) {
            DesiredService s = held.get(ServiceId.parse(id));
            return s == null ? List.of() : s.ports().getFirst().endpoints().stream()
                    .map(e -> e.address() + (e.ready() ? "" : "(not ready)")).toList();
        }
    }

    @BeforeEach
    void start() throws Exception {
        api = TestApiServer.startLocal();
        admin = api.client();
        admin.nodes().resource(ApiObjects.node("a", 1)).create();
        ClusterConfig cluster = ConfigLoader.parse("""
                source: kubernetes
                ipFamilies: [IPv4]
                podCIDRs: [10.244.0.0/16]
                serviceCIDRs: [10.96.0.0/16]
                nodeCIDRs: [192.168.1.0/24]
                node: a
                """, "cluster.yaml", Map.of());
        source = KubernetesSource.connect(cluster, Optional.of(TestApiServer.writeKubeconfig(dir.resolve("kubeconfig"), api.url())),
                control::post);
    }

    @AfterEach
    void stop() {
        source.close();
        control.close();
        admin.close();
        api.close();
    }

    private static Service service(String name, String clusterIp, int nodePort) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withType(nodePort > 0 ? "NodePort" : "ClusterIP").withClusterIP(clusterIp)
                .withClusterIPs(clusterIp).addNewPort().withName("http").withProtocol("TCP").withPort(80)
                .withNodePort(nodePort > 0 ? nodePort : null).withTargetPort(new IntOrString(8080)).endPort()
                .endSpec().build();
    }

    private static EndpointSlice slice(String service, String name, String... addresses) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName(name)
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
        for (String a : addresses) {
            boolean ready = !a.endsWith("!");
            b.addNewEndpoint().withAddresses(a.replace("!", "")).withNewConditions().withReady(ready).endConditions().endEndpoint();
        }
        return b.build();
    }

    private void attach() throws Exception {
        control.call(() -> {
            source.applyServicesTo(table);
            return null;
        }, 10_000);
    }

    @Test
    void servicesAndTheirSlicesBecomeOneApplyPerChangedService() throws Exception {
        admin.services().resource(service("web", "10.96.0.10", 0)).create();
        admin.discovery().v1().endpointSlices().resource(slice("web", "web-1", "10.244.1.5", "10.244.2.7")).create();
        admin.discovery().v1().endpointSlices().resource(slice("web", "web-2", "10.244.3.3")).create();
        admin.services().resource(service("db", "10.96.0.11", 0)).create();
        admin.services().resource(new ServiceBuilder(service("headless", "None", 0)).build()).create();
        attach();
        Eventually.until(WAIT, () -> table.endpoints("default/web").size() == 3 && table.held.containsKey(ServiceId.parse("default/db")),
                () -> table.calls + " " + table.held);
        assertEquals(List.of("10.244.1.5", "10.244.2.7", "10.244.3.3"), table.endpoints("default/web"), "slices merged");
        assertEquals(List.of(), table.endpoints("default/db"), "a service without endpoints is still served (RST)");
        assertTrue(table.calls.stream().noneMatch(c -> c.contains("headless")), table.calls.toString());
        Eventually.until(WAIT, () -> source.status().synced(), () -> source.status().toString());
        assertEquals(2, source.status().services().served());
        assertEquals(1, source.status().services().ignored());

        // scale: one slice changes → one apply of web, none of db
        table.calls.clear();
        EndpointSlice scaled = slice("web", "web-2", "10.244.3.3", "10.244.3.4", "10.244.3.5!");
        scaled.getMetadata().setAnnotations(Map.of("endpoints.kubernetes.io/last-change-trigger-time",
                java.time.Instant.now().toString())); // as the EndpointSlice controller stamps it
        admin.discovery().v1().endpointSlices().resource(scaled).update();
        Eventually.until(WAIT, () -> table.endpoints("default/web").size() == 5, () -> table.calls.toString());
        assertEquals(List.of("apply default/web"), table.calls);
        assertEquals("10.244.3.5(not ready)", table.endpoints("default/web").get(4));
        Eventually.until(WAIT, () -> source.status().programming().count() == 1, () -> source.status().toString());
        assertTrue(source.status().programming().p50Millis() > 0, "the change's programming latency is recorded");

        // a slice whose content is unchanged (a no-op update, as a resync or relist delivers) → nothing
        table.calls.clear();
        EndpointSlice same = admin.discovery().v1().endpointSlices().inNamespace("default").withName("web-1").get();
        same.getMetadata().setAnnotations(Map.of("touched", "yes"));
        admin.discovery().v1().endpointSlices().resource(same).update();
        admin.services().resource(service("probe", "10.96.0.12", 0)).create(); // an event after it, to know it was processed
        Eventually.until(WAIT, () -> table.held.containsKey(ServiceId.parse("default/probe")), () -> table.calls.toString());
        assertEquals(List.of("apply default/probe"), table.calls);

        table.calls.clear();
        admin.discovery().v1().endpointSlices().inNamespace("default").withName("web-1").delete();
        Eventually.until(WAIT, () -> table.endpoints("default/web").size() == 3, () -> table.calls.toString());
        admin.services().inNamespace("default").withName("web").delete();
        Eventually.until(WAIT, () -> !table.held.containsKey(ServiceId.parse("default/web")), () -> table.calls.toString());
        assertEquals(List.of("apply default/web", "remove default/web"), table.calls);
    }

    @Test
    void aServiceTheTableRefusesOrThatMakesNoSenseIsSkippedWithItsReason() throws Exception {
        admin.services().resource(service("clash", "10.96.0.20", 31999)).create();
        admin.services().resource(service("outside", "10.97.0.20", 0)).create();
        attach();
        Eventually.until(WAIT, () -> source.status().services().unservable().size() == 2, () -> source.status().toString());
        Map<String, Skipped> why = source.status().services().unservable();
        assertEquals("refused", why.get("default/clash").reason(), why.toString());
        assertTrue(why.get("default/clash").detail().contains("node port 31999 is held by another service"), why.toString());
        assertEquals("cluster_ip_outside_service_cidrs", why.get("default/outside").reason(), why.toString());
        assertTrue(why.get("default/outside").detail().contains("outside the cluster's serviceCIDRs"), why.toString());
        // fixed: the node port changes → served
        admin.services().resource(service("clash", "10.96.0.20", 30001)).update();
        Eventually.until(WAIT, () -> table.held.containsKey(ServiceId.parse("default/clash")), () -> table.calls.toString());
        Eventually.until(WAIT, () -> source.status().services().unservable().size() == 1, () -> source.status().toString());
        // a served service whose ClusterIP turns garbage is taken out
        admin.services().resource(service("clash", "10.97.0.21", 30001)).update();
        Eventually.until(WAIT, () -> !table.held.containsKey(ServiceId.parse("default/clash")), () -> table.calls.toString());
    }
}
