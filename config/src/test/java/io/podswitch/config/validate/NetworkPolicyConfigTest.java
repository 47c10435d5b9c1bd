package io.podswitch.config.validate;

import static io.podswitch.config.validate.ConfigFixture.BASE;
import static io.podswitch.config.validate.ConfigFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cli.EffectiveConfigWriter;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.ContainerPort;
import io.podswitch.config.model.policy.LabelRequirement;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.NetworkPolicyConfig;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code networkPolicy:} section: reading, the API server's checks, defaults, and writing it back. */
class NetworkPolicyConfigTest {

    private static final String SECTION = BASE + """
            networkPolicy:
              namespaces:
                - name: x
                  labels: {team: blue, tier: "1"}
                - name: y
              pods:
                - namespace: x
                  name: a
                  labels: {pod: a}
                  ips: [10.244.0.5, "fd00:10:244::5"]
                  node: node-a
                  ports:
                    - {name: serve-80-tcp, containerPort: 80, protocol: TCP}
                    - {name: serve-80-udp, containerPort: 80, protocol: UDP}
                - name: b
                  labels: {pod: b, empty: ""}
              policies:
                - apiVersion: networking.k8s.io/v1
                  kind: NetworkPolicy
                  metadata:
                    name: web.allow
                    namespace: x
                    uid: 0d9b3c1e-0000-0000-0000-000000000000
                    resourceVersion: "4711"
                    annotations: {note: copied from kubectl}
                  spec:
                    podSelector: {matchLabels: {pod: a}}
                    ingress:
                      - from:
                          - podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}
                            namespaceSelector: {matchLabels: {team: blue}}
                          - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
                        ports:
                          - {port: 80}
                          - {protocol: UDP, port: 5000, endPort: 5010}
                          - {port: serve-80-udp, protocol: UDP}
                          - {protocol: SCTP}
                  status: {}
                - metadata: {name: deny-egress, namespace: y}
                  spec:
                    podSelector: {}
                    egress:
                      - to: [{namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]}}]
                - metadata: {name: ingress-only}
                  spec:
                    podSelector: {}
                    egress: []
                - metadata: {name: both, namespace: x}
                  spec:
                    policyTypes: [Egress]
                    podSelector: {}
                    ingress: [{}]
            """;

    @Test
    void readsTheSectionWithTheApisDefaults() throws Exception {
        NetworkPolicyConfig np = ConfigFixture.load(SECTION).networkPolicy();
        assertEquals(List.of(NamespaceInfo.of("x", Map.of("team", "blue", "tier", "1")), NamespaceInfo.of("y", Map.of())),
                np.namespaces());
        assertEquals("x", np.namespaces().get(0).labels().get(NamespaceInfo.NAME_LABEL));
        PodInfo a = np.pods().get(0);
        assertEquals("x/a", a.id().toString());
        assertEquals(List.of(IpAddress.parse("10.244.0.5"), IpAddress.parse("fd00:10:244::5")), a.ips());
        assertEquals("node-a", a.nodeName());
        assertEquals(new ContainerPort("serve-80-udp", Protocol.UDP, 80), a.ports().get(1));
        PodInfo b = np.pods().get(1);
        assertEquals("default/b", b.id().toString(), "a pod without namespace is in 'default', as kubectl has it");
        assertEquals("", b.labels().get("empty"));

        NetworkPolicy allow = np.policies().get(0);
        assertEquals("x/web.allow", allow.id().toString());
        assertTrue(allow.ingress());
        assertFalse(allow.egress(), "no policyTypes and no egress rules: Ingress only");
        PolicyRule rule = allow.ingressRules().getFirst();
        assertEquals(new PolicyPeer.Pods(LabelSelector.of(Map.of("team", "blue")), new LabelSelector(Map.of(),
                List.of(new LabelRequirement("pod", LabelRequirement.Operator.IN, List.of("b", "c"))))), rule.peers().get(0));
        assertEquals(new PolicyPeer.IpBlock(Cidr.parse("10.0.0.0/8"), List.of(Cidr.parse("10.1.0.0/16"))), rule.peers().get(1));
        assertEquals(List.of(PolicyPort.number(Protocol.TCP, 80), PolicyPort.range(Protocol.UDP, 5000, 5010),
                PolicyPort.named(Protocol.UDP, "serve-80-udp"), PolicyPort.all(Protocol.SCTP)), rule.ports());

        NetworkPolicy denyEgress = np.policies().get(1);
        assertTrue(denyEgress.ingress() && denyEgress.egress(), "no policyTypes with egress rules: Ingress and Egress");
        assertTrue(denyEgress.ingressRules().isEmpty());
        PolicyPeer.Pods peer = (PolicyPeer.Pods) denyEgress.egressRules().getFirst().peers().getFirst();
        assertNull(peer.podSelector(), "an absent podSelector stays absent (every pod of the selected namespaces)");

        NetworkPolicy ingressOnly = np.policies().get(2);
        assertEquals("default/ingress-only", ingressOnly.id().toString());
        assertTrue(ingressOnly.ingress());
        assertFalse(ingressOnly.egress(), "egress: [] is no egress section: Ingress only");

        NetworkPolicy both = np.policies().get(3);
        assertFalse(both.ingress(), "policyTypes given: only those apply, ingress rules are ignored");
        assertTrue(both.egress());
        assertEquals(List.of(PolicyRule.ALLOW_ALL), both.ingressRules());
    }

    @Test
    void configShowWritesTheSectionBackSoThatItLoadsTheSame() throws Exception {
        ClusterConfig first = ConfigFixture.load(SECTION);
        String written = EffectiveConfigWriter.toYaml(first);
        ClusterConfig again = ConfigLoader.parse(written, "shown.yaml", Map.of());
        assertEquals(first.networkPolicy(), again.networkPolicy(), written);
    }

    @Test
    void noSectionIsAnEmptyOne() throws Exception {
        assertTrue(ConfigFixture.load(BASE).networkPolicy().isEmpty());
    }

    private static String withPolicy(String spec) {
        return BASE + "networkPolicy:\n  policies:\n    - metadata: {name: p, namespace: x}\n      spec:\n" + spec;
    }

    @Test
    void everyMalformedPieceIsReportedWhereItIs() {
        assertError(withPolicy("        podSelector: {matchLabels: {pod: a}}\n        ingress:\n"
                        + "          - ports: [{port: 80, endPort: 79}]  # <-\n"),
                "networkPolicy.policies[0].spec.ingress[0].ports[0].endPort", "endPort 79 is below port 80");
        assertError(withPolicy("        ingress:\n          - ports: [{port: http, endPort: 90}]  # <-\n"),
                "networkPolicy.policies[0].spec.ingress[0].ports[0].endPort", "endPort needs a numeric port, not the name http");
        assertError(withPolicy("        ingress:\n          - ports: [{port: Bad_Name}]  # <-\n"),
                "networkPolicy.policies[0].spec.ingress[0].ports[0].port", "is neither a port number nor a port name");
        assertError(withPolicy("        ingress:\n          - ports: [{port: 0}]  # <-\n"),
                "networkPolicy.policies[0].spec.ingress[0].ports[0].port", "0 is not a port (1..65535)");
        assertError(withPolicy("        ingress:\n          - ports: [{protocol: ICMP}]  # <-\n"),
                "networkPolicy.policies[0].spec.ingress[0].ports[0].protocol", "'ICMP' is not one of");
        assertError(withPolicy("        ingress:\n          - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]  # <-\n"),
                "networkPolicy.policies[0].spec.ingress[0].from[0].ipBlock.except[0]", "is not strictly inside the cidr 10.0.0.0/8");
        assertError(withPolicy("        ingress:\n          - from: [{ipBlock: {cidr: 10.0.0.1/8}}]  # <-\n"),
                "networkPolicy.policies[0].spec.ingress[0].from[0].ipBlock.cidr", "has host bits set; the network is 10.0.0.0/8");
        assertError(withPolicy("        ingress:\n          - from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]  # <-\n"),
                "networkPolicy.policies[0].spec.ingress[0].from[0]", "ipBlock cannot be combined");
        assertError(withPolicy("        ingress:\n          - from: [{}]  # <-\n"),
                "networkPolicy.policies[0].spec.ingress[0].from[0]", "a peer needs podSelector, namespaceSelector or ipBlock");
        assertError(withPolicy("        egress:\n          - from: []  # <-\n"),
                "networkPolicy.policies[0].spec.egress[0].from", "unknown key 'from'");
        assertError(withPolicy("        podSelector: {matchExpressions: [{key: a, operator: In}]}  # <-\n"),
                "networkPolicy.policies[0].spec.podSelector.matchExpressions[0].operator", "In needs at least one value");
        assertError(withPolicy("        podSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}  # <-\n"),
                "networkPolicy.policies[0].spec.podSelector.matchExpressions[0].values", "Exists takes no values");
        assertError(withPolicy("        podSelector: {matchExpressions: [{key: a, operator: in, values: [x]}]}  # <-\n"),
                "networkPolicy.policies[0].spec.podSelector.matchExpressions[0].operator", "did you mean In?");
        assertError(withPolicy("        podSelector: {matchLabels: {\"-bad\": x}}  # <-\n"),
                "networkPolicy.policies[0].spec.podSelector.matchLabels", "'-bad' is not a label key");
        assertError(withPolicy("        policyTypes: [Ingres]  # <-\n"),
                "networkPolicy.policies[0].spec.policyTypes[0]", "did you mean Ingress?");
        assertError(withPolicy("        podSelectr: {}  # <-\n"),
                "networkPolicy.policies[0].spec.podSelectr", "did you mean 'podSelector'?");
    }

    @Test
    void apiVersionKindAndNamesAreChecked() {
        assertError(BASE + "networkPolicy:\n  policies:\n    - apiVersion: v1  # <-\n      metadata: {name: p}\n      spec: {}\n",
                "networkPolicy.policies[0].apiVersion", "'v1' is not networking.k8s.io/v1");
        assertError(BASE + "networkPolicy:\n  policies:\n    - metadata: {name: Bad}  # <-\n      spec: {}\n",
                "networkPolicy.policies[0].metadata.name", "'Bad' is not a policy name");
        assertError(BASE + "networkPolicy:\n  policies:\n    - metadata: {name: p}  # <-\n",
                "networkPolicy.policies[0].spec", "is missing");
    }

    @Test
    void podsAndNamesAcrossItemsAreChecked() {
        String pods = BASE + "networkPolicy:\n  pods:\n";
        assertError(pods + "    - {namespace: x, name: a, ips: [10.245.0.1]}  # <-\n",
                "networkPolicy.pods[0].ips", "10.245.0.1 is outside podCIDRs");
        assertError(pods + "    - {namespace: x, name: a, ips: [10.244.0.1]}\n    - {namespace: x, name: b, ips: [10.244.0.1]}  # <-\n",
                "networkPolicy.pods[1].ips", "10.244.0.1 is also the address of pod x/a");
        assertError(pods + "    - {namespace: x, name: a}\n    - {namespace: x, name: a}  # <-\n",
                "networkPolicy.pods[1]", "pod x/a is already defined at networkPolicy.pods[0]");
        assertError(pods + "    - {namespace: x, name: a, ports: [{name: http, containerPort: 70000}]}  # <-\n",
                "networkPolicy.pods[0].ports[0].containerPort", "70000 is not a port");
        assertError(pods + "    - {namespace: x, name: a, ports: [{name: \"8080\", containerPort: 80}]}  # <-\n",
                "networkPolicy.pods[0].ports[0].name", "needs at least one letter");
    }

    @Test
    void hostNetworkPodsMayHoldNodeAddresses() throws Exception {
        PodInfo p = ConfigFixture.load(BASE + "networkPolicy:\n  pods:\n    - {namespace: kube-system, name: kp, "
                + "hostNetwork: true, ips: [192.168.100.11]}\n").networkPolicy().pods().getFirst();
        assertTrue(p.hostNetwork());
    }
}
