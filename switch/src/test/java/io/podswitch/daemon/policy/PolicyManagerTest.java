package io.podswitch.daemon.policy;

import static io.podswitch.daemon.policy.Policies.from;
import static io.podswitch.daemon.policy.Policies.labels;
import static io.podswitch.daemon.policy.Policies.pods;
import static io.podswitch.daemon.policy.Policies.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicyConfig;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.policy.AddressInfo;
import io.podswitch.policy.CompiledPolicy;
import io.podswitch.policy.DenyLog;
import io.podswitch.policy.PolicyConnTrack;
import io.podswitch.policy.PolicyTables;
import io.podswitch.service.ConnTrackTimeouts;
import io.podswitch.service.FlowHash;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The control-plane side: sources and local pods merged, ids kept, views and deny-log lines. */
class PolicyManagerTest {
    static final PolicyCompiler.Node NODE = new PolicyCompiler.Node(List.of(Cidr.parse("10.244.1.0/24")),
            List.of(IpAddress.parse("192.168.77.11")));

    private final PolicyTables tables = new PolicyTables(8, 1);
    private final PolicyManager manager = new PolicyManager(tables, NODE);

    private static PodInfo pod(String ns, String name, String... ips) {
        return new PodInfo(new NamespacedName(ns, name), Map.of("pod", name), java.util.Arrays.stream(ips)
                .map(IpAddress::parse).toList(), "", false, List.of());
    }

    @Test
    void aPodWiredHereGetsItsCniAddressesAndIsIsolatedAtOnce() {
        manager.applyFile(new NetworkPolicyConfig(List.of(NamespaceInfo.of("x", Map.of())),
                List.of(pod("x", "a"), pod("x", "b", "10.244.2.7")),
                List.of(policy("x", "allow-b").selectPod("a").ingress(from(pods(labels("pod", "b")))).build())));
        CompiledPolicy before = manager.current();
        assertEquals(0, before.slots(), "x/a has no address yet: nothing local to isolate");
        PolicyManager.Compilation c = manager.attached("ctr-1/eth0", new PolicyManager.LocalPod(new NamespacedName("x", "a"),
                List.of(IpAddress.parse("10.244.1.5"))));
        assertTrue(c.generation() > before.generation());
        CompiledPolicy snap = manager.current();
        assertEquals(List.of("x/a"), snap.slotNames());
        long a = snap.addresses().lookup4(ip("10.244.1.5"));
        long b = snap.addresses().lookup4(ip("10.244.2.7"));
        assertEquals(0, AddressInfo.slot(a));
        assertTrue(snap.ingress(b, a, 6, 80) >= 0, "x/b may reach x/a");
        assertEquals(-1, snap.ingress(snap.addresses().lookup4(ip("10.244.2.8")), a, 6, 80), "others may not");
        manager.detached("ctr-1/eth0");
        assertEquals(0, manager.current().slots());
    }

    @Test
    void aWiredPodTheSourceDoesNotKnowIsAPodOfItsNamespace() {
        manager.applyFile(new NetworkPolicyConfig(List.of(), List.of(),
                List.of(policy("x", "deny").ingress().build())));
        manager.attached("c/eth0", new PolicyManager.LocalPod(new NamespacedName("x", "new"), List.of(IpAddress.parse("10.244.1.9"))));
        manager.attached("d/eth0", new PolicyManager.LocalPod(null, List.of(IpAddress.parse("10.244.1.10"))));
        CompiledPolicy snap = manager.current();
        assertEquals(List.of("x/new"), snap.slotNames(), "a pod the runtime did not name is nobody's");
        assertEquals(-1, snap.ingress(snap.addresses().lookup4(ip("10.244.1.10")), snap.addresses().lookup4(ip("10.244.1.9")),
                6, 80), "x/new is isolated by the namespace-wide policy");
    }

    @Test
    void policyIdsSurviveChangesAndCountersOfDeletedPoliciesAreZeroed() {
        manager.replaceAll(List.of(), List.of(), List.of(policy("x", "p1").ingress().build(), policy("x", "p2").ingress().build()));
        int p2 = manager.policyIds().get(new NamespacedName("x", "p2"));
        tables.counters().add(0, p2, PolicyTables.INGRESS_DENIED_PACKETS, 5);
        manager.replaceAll(List.of(), List.of(), List.of(policy("x", "p2").ingress().build()));
        assertEquals(p2, manager.policyIds().get(new NamespacedName("x", "p2")));
        assertEquals(5, tables.deniedPackets(p2));
        manager.replaceAll(List.of(), List.of(), List.of(policy("x", "p3").ingress().build()));
        int p3 = manager.policyIds().get(new NamespacedName("x", "p3"));
        assertEquals(0, tables.deniedPackets(p3), "an id is zeroed before it is reused");
        List<String> names = new ArrayList<>();
        new PolicyCounterSource(manager).visit((name, value) -> names.add(name));
        assertTrue(names.contains("policy.x/p3.egress_allowed_flows") && names.contains("policy.x/p3.ingress_denied_packets"), names.toString());
        assertFalse(names.stream().anyMatch(n -> n.contains("p2")));
    }

    @Test
    void prometheusFamiliesPerPolicyAndDirection() {
        manager.replaceAll(List.of(), List.of(), List.of(policy("x", "p.1").ingress().build()));
        int id = manager.policyIds().get(new NamespacedName("x", "p.1"));
        tables.counters().add(0, id, PolicyTables.INGRESS_DENIED_PACKETS, 7);
        tables.counters().add(0, id, PolicyTables.EGRESS_ALLOWED_FLOWS, 2);
        PolicyConnTrack track = new PolicyConnTrack("policy-conntrack", 64, ConnTrackTimeouts.DEFAULTS);
        track.insert(new PolicyConnTrack.Key().set(6, 0, 1, 1000, 0, 2, 80), 1, 0x02, 0);
        Map<String, Double> points = new java.util.TreeMap<>();
        for (MetricSnapshot family : new PolicyMetrics(manager, List.of(track)).collect()) {
            for (DataPointSnapshot p : family.getDataPoints()) {
                double v = p instanceof CounterSnapshot.CounterDataPointSnapshot c ? c.getValue()
                        : ((GaugeSnapshot.GaugeDataPointSnapshot) p).getValue();
                points.put(family.getMetadata().getName() + p.getLabels(), v);
            }
        }
        assertEquals(7.0, points.get("podswitch_policy_denied_packets{direction=\"ingress\",policy=\"x/p.1\"}"), points.toString());
        assertEquals(2.0, points.get("podswitch_policy_allowed_flows{direction=\"egress\",policy=\"x/p.1\"}"), points.toString());
        assertEquals(1.0, points.get("podswitch_policy_compiled{object=\"policies\"}"), points.toString());
        assertEquals(1.0, points.get("podswitch_policy_conntrack_entries{worker=\"0\"}"), points.toString());
        assertEquals(1.0, points.get("podswitch_policy_conntrack_events{event=\"inserted\",worker=\"0\"}"), points.toString());
    }

    @Test
    void viewsAndDenyLines() throws Exception {
        manager.applyFile(new NetworkPolicyConfig(List.of(NamespaceInfo.of("x", Map.of())),
                List.of(pod("x", "a", "10.244.1.5"), pod("x", "b", "10.244.2.7")),
                List.of(policy("x", "allow-b").selectPod("a").ingress(from(pods(labels("pod", "b")))).build())));
        PolicyOperations ops = new PolicyOperations(manager);
        String summary = JsonCodec.text(ops.handle("/v1/policy", ""));
        assertTrue(summary.contains("\"selectsOnThisNode\":[\"x/a\"]"), summary);
        assertTrue(summary.contains("from pods pod=b on every port and protocol"), summary);
        String podView = JsonCodec.text(ops.handle("/v1/policy/pod/x/a", ""));
        assertTrue(podView.contains("\"isolated\":true") && podView.contains("x/allow-b"), podView);
        String check = JsonCodec.text(ops.handle("/v1/policy/check", "from=x/b&to=x/a&port=80&protocol=tcp"));
        assertTrue(check.contains("\"allowed\":true") && check.contains("allowed by x/allow-b"), check);
        String denied = JsonCodec.text(ops.handle("/v1/policy/check", "from=10.244.2.99&to=x/a&port=80"));
        assertTrue(denied.contains("\"allowed\":false") && denied.contains("\"thisNode\":\"denied\""), denied);

        DenyLog log = new DenyLog(8, 10);
        log.offer(0, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(ip("10.244.2.7")), FlowHash.IPV4_MAPPED_HIGH,
                FlowHash.ipv4MappedLow(ip("10.244.1.5")), 40000, 81, 6);
        List<String> lines = new ArrayList<>();
        new DenyLogger(manager, List.of(log), lines::add).drain();
        assertEquals(List.of("policy: denied ingress TCP 10.244.2.7:40000 (x/b) → 10.244.1.5:81 (x/a): x/a's ingress is "
                + "isolated by x/allow-b and no rule of theirs allows it"), lines);
    }

    private static int ip(String s) {
        return ((io.podswitch.config.cidr.Ip4Address) IpAddress.parse(s)).value();
    }
}
