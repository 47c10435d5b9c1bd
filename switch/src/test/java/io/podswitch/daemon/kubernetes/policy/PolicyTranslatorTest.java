package io.podswitch.daemon.kubernetes.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.ContainerPort;
import io.podswitch.config.model.policy.LabelRequirement;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.daemon.policy.NetpolCase;
import io.podswitch.daemon.policy.NetpolCases;
import io.podswitch.daemon.policy.NetpolWorld;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Namespaces, Pods and NetworkPolicies from the API → the policy engine's inputs: every field, every malformed case. */
class PolicyTranslatorTest {
    private final PolicyTranslator dual = new PolicyTranslator(List.of(IpFamily.IPV4, IpFamily.IPV6), "node-a");
    private final PolicyTranslator v4 = new PolicyTranslator(List.of(IpFamily.IPV4), "node-a");

    private NetworkPolicy use(String yaml) {
        PolicyTranslator.Verdict<NetworkPolicy> v = dual.policy(ApiPolicyObjects.policy(yaml));
        PolicyTranslator.Verdict.Use<NetworkPolicy> use = assertInstanceOf(PolicyTranslator.Verdict.Use.class, v);
        assertEquals(List.of(), use.problems());
        return use.value();
    }

    private PolicyTranslator.Verdict.Use<NetworkPolicy> withProblems(String yaml) {
        return assertInstanceOf(PolicyTranslator.Verdict.Use.class, dual.policy(ApiPolicyObjects.policy(yaml)));
    }

    private Skipped rejected(String yaml) {
        return assertInstanceOf(PolicyTranslator.Verdict.Reject.class, dual.policy(ApiPolicyObjects.policy(yaml))).why();
    }

    private static String policy(String spec) {
        return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n" + spec;
    }

    /** Every policy of the upstream e2e cases, both families, written as a manifest and read back from the API object. */
    @Test
    void everyUpstreamCasePolicyRoundTrips() {
        int n = 0;
        for (IpFamily family : List.of(IpFamily.IPV4, IpFamily.IPV6)) {
            for (NetpolCase c : NetpolCases.all(NetpolWorld.synthetic(), family)) {
                for (NetpolCase.Step s : c.steps()) {
                    for (NetworkPolicy p : s.policies()) {
                        PolicyTranslator.Verdict<NetworkPolicy> v = dual.policy(ApiPolicyObjects.policy(p));
                        assertEquals(new PolicyTranslator.Verdict.Use<>(p, List.of()), v, c.name());
                        n++;
                    }
                }
            }
        }
        assertTrue(n > 100, "policies checked: " + n);
    }

    @Test
    void everyFieldOfAPolicy() {
        NetworkPolicy p = use(policy("""
                  podSelector:
                    matchLabels: {app: db}
                    matchExpressions:
                      - {key: tier, operator: In, values: [a, b]}
                      - {key: legacy, operator: DoesNotExist}
                  policyTypes: [Ingress, Egress]
                  ingress:
                    - from:
                        - podSelector: {matchLabels: {role: client}}
                        - namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [red]}]}
                        - podSelector: {}
                          namespaceSelector: {matchExpressions: [{key: env, operator: Exists}]}
                      ports:
                        - {port: 5432}
                        - {protocol: UDP, port: 53, endPort: 60}
                        - {protocol: SCTP}
                        - {port: metrics}
                    - {}
                  egress:
                    - to:
                        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
                        - ipBlock: {cidr: "fd00::/8"}
                """));
        assertEquals(new NamespacedName("x", "p"), p.id());
        assertEquals(new LabelSelector(Map.of("app", "db"), List.of(
                new LabelRequirement("tier", LabelRequirement.Operator.IN, List.of("a", "b")),
                new LabelRequirement("legacy", LabelRequirement.Operator.DOES_NOT_EXIST, List.of()))), p.podSelector());
        assertTrue(p.ingress() && p.egress());
        assertEquals(List.of(
                new PolicyRule(List.of(
                        new PolicyPeer.Pods(null, LabelSelector.of(Map.of("role", "client"))),
                        new PolicyPeer.Pods(new LabelSelector(Map.of(), List.of(new LabelRequirement("team",
                                LabelRequirement.Operator.NOT_IN, List.of("red")))), null),
                        new PolicyPeer.Pods(new LabelSelector(Map.of(), List.of(new LabelRequirement("env",
                                LabelRequirement.Operator.EXISTS, List.of()))), LabelSelector.EVERYTHING)),
                        List.of(PolicyPort.number(Protocol.TCP, 5432), PolicyPort.range(Protocol.UDP, 53, 60),
                                PolicyPort.all(Protocol.SCTP), PolicyPort.named(Protocol.TCP, "metrics"))),
                PolicyRule.ALLOW_ALL), p.ingressRules());
        assertEquals(List.of(new PolicyRule(List.of(
                new PolicyPeer.IpBlock(Cidr.parse("10.0.0.0/8"), List.of(Cidr.parse("10.1.0.0/16"))),
                new PolicyPeer.IpBlock(Cidr.parse("fd00::/8"), List.of())), List.of())), p.egressRules());
    }

    @Test
    void policyTypesAreDefaultedAsTheApiServerDoes() {
        NetworkPolicy none = use(policy("  podSelector: {}\n"));
        assertTrue(none.ingress() && !none.egress(), "no types, no egress rules: Ingress");
        assertEquals(List.of(), none.ingressRules(), "deny all ingress");
        NetworkPolicy withEgress = use(policy("  podSelector: {}\n  egress: [{}]\n"));
        assertTrue(withEgress.ingress() && withEgress.egress(), "egress rules: Ingress and Egress");
        NetworkPolicy emptyEgress = use(policy("  podSelector: {}\n  egress: []\n"));
        assertTrue(emptyEgress.ingress() && !emptyEgress.egress(), "egress: [] is no egress rule");
        NetworkPolicy egressOnly = use(policy("  podSelector: {}\n  policyTypes: [Egress]\n"));
        assertTrue(!egressOnly.ingress() && egressOnly.egress());
        NetworkPolicy absentSelector = use(policy("  policyTypes: [Ingress]\n"));
        assertEquals(LabelSelector.EVERYTHING, absentSelector.podSelector(), "an absent podSelector reads as {}");
    }

    @Test
    void aPolicyThatCannotBeReadIsRejected() {
        assertEquals("no_spec", rejected("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n").reason());
        assertEquals("unnamed", rejected("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: x}\nspec: {}\n").reason());
        Skipped op = rejected(policy("  podSelector: {matchExpressions: [{key: a, operator: Near}]}\n"));
        assertEquals("bad_selector", op.reason());
        assertTrue(op.detail().contains("'Near' is not In, NotIn, Exists or DoesNotExist"), op.detail());
        assertEquals("bad_selector", rejected(policy("  podSelector: {matchExpressions: [{key: a, operator: In}]}\n")).reason());
        assertEquals("bad_selector", rejected(policy("  podSelector: {matchExpressions: [{key: a, operator: Exists, values: [b]}]}\n")).reason());
        assertEquals("bad_selector", rejected(policy("  podSelector: {matchExpressions: [{operator: Exists}]}\n")).reason());
    }

    /** A malformed rule only ever allowed something: it is left out, the policy still isolates (fail closed). */
    @Test
    void aMalformedRuleIsLeftOutAndThePolicyStillIsolates() {
        List<String> badRules = List.of(
                "from: [{ipBlock: {cidr: 10.0.0.0/33}}]",
                "from: [{ipBlock: {cidr: banana}}]",
                "from: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]",
                "from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]",
                "from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]",
                "from: [{}]",
                "from: [{podSelector: {matchExpressions: [{key: a, operator: Near}]}}]",
                "ports: [{protocol: ICMP}]",
                "ports: [{port: 0}]",
                "ports: [{port: 70000}]",
                "ports: [{port: 80, endPort: 79}]",
                "ports: [{port: http, endPort: 90}]",
                "ports: [{endPort: 90}]",
                "ports: [{port: Not_A_Name}]",
                "ports: [{port: \"1234\"}]");
        for (String bad : badRules) {
            PolicyTranslator.Verdict.Use<NetworkPolicy> v = withProblems(policy("""
                      podSelector: {}
                      ingress:
                        - %s
                        - ports: [{port: 8080}]
                    """.formatted(bad)));
            assertTrue(v.value().ingress(), bad);
            assertEquals(List.of(new PolicyRule(List.of(), List.of(PolicyPort.number(Protocol.TCP, 8080)))),
                    v.value().ingressRules(), bad + ": only the good rule is left");
            assertEquals(1, v.problems().size(), bad + ": " + v.problems());
            assertTrue(v.problems().getFirst().startsWith("spec.ingress[0]") && v.problems().getFirst().endsWith(
                    "the rule is left out (it allows nothing)"), v.problems().getFirst());
        }
        PolicyTranslator.Verdict.Use<NetworkPolicy> egress = withProblems(policy("""
                  podSelector: {}
                  egress: [{to: [{ipBlock: {cidr: nonsense}}]}]
                """));
        assertTrue(egress.value().egress(), "egress rules were given: the policy still applies to Egress");
        assertEquals(List.of(), egress.value().egressRules(), "…and now denies all egress");
    }

    @Test
    void unknownPolicyTypesAndHostBitsAreReportedNotFatal() {
        PolicyTranslator.Verdict.Use<NetworkPolicy> types = withProblems(policy("  podSelector: {}\n  policyTypes: [Ingress, Sideways]\n"));
        assertTrue(types.value().ingress() && !types.value().egress());
        assertEquals(List.of("spec.policyTypes: 'Sideways' is neither Ingress nor Egress: left out"), types.problems());
        PolicyTranslator.Verdict.Use<NetworkPolicy> hostBits = withProblems(policy(
                "  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.1.2.3/16}}]}]\n"));
        assertEquals(new PolicyPeer.IpBlock(Cidr.parse("10.1.0.0/16"), List.of()),
                hostBits.value().ingressRules().getFirst().peers().getFirst());
        assertEquals(1, hostBits.problems().size(), hostBits.problems().toString());
        assertTrue(hostBits.problems().getFirst().contains("has host bits set; read as 10.1.0.0/16"));
    }

    // ---------------------------------------------------------------- pods

    private static PodBuilder pod(String ns, String name) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata();
    }

    private static Pod running(PodBuilder b, String node, String... ips) {
        var status = b.editOrNewSpec().withNodeName(node).endSpec().withNewStatus().withPhase("Running");
        for (String ip : ips) {
            status.addNewPodIP().withIp(ip).endPodIP();
        }
        return status.endStatus().build();
    }

    @Test
    void everyFieldOfAPod() {
        Pod p = ApiPolicyObjects.pod("x", "a", Map.of("pod", "a", "app", "web"), "node-b",
                List.of(IpAddress.parse("10.244.2.5"), IpAddress.parse("fd00:10:244:2::5")));
        p.getSpec().getContainers().getFirst().getPorts().add(new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
                .withContainerPort(9090).build()); // unnamed: not needed by NetworkPolicy
        p.getSpec().getContainers().add(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("sidecar")
                .addNewPort().withName("metrics").withContainerPort(9100).endPort().build()); // protocol defaults to TCP
        PolicyTranslator.Verdict.Use<PodInfo> use = assertInstanceOf(PolicyTranslator.Verdict.Use.class, dual.pod(p));
        PodInfo pod = use.value();
        assertEquals(new NamespacedName("x", "a"), pod.id());
        assertEquals(Map.of("pod", "a", "app", "web"), pod.labels());
        assertEquals(List.of(IpAddress.parse("10.244.2.5"), IpAddress.parse("fd00:10:244:2::5")), pod.ips());
        assertEquals("node-b", pod.nodeName());
        assertTrue(!pod.hostNetwork());
        assertEquals(7, pod.ports().size(), pod.ports().toString());
        assertTrue(pod.ports().contains(new ContainerPort("serve-81-udp", Protocol.UDP, 81)));
        assertTrue(pod.ports().contains(new ContainerPort("serve-80-sctp", Protocol.SCTP, 80)));
        assertTrue(pod.ports().contains(new ContainerPort("metrics", Protocol.TCP, 9100)));
        assertEquals(List.of(), use.problems());

        PodInfo single = ((PolicyTranslator.Verdict.Use<PodInfo>) v4.pod(p)).value();
        assertEquals(List.of(IpAddress.parse("10.244.2.5")), single.ips(), "addresses of other families are ignored");
        Pod legacy = pod("x", "old").withNewStatus().withPhase("Running").withPodIP("10.244.2.9").endStatus().build();
        assertEquals(List.of(IpAddress.parse("10.244.2.9")),
                ((PolicyTranslator.Verdict.Use<PodInfo>) dual.pod(legacy)).value().ips(), "status.podIP alone");
    }

    @Test
    void podsWithoutAddressesFinishedPodsAndHostNetworkPods() {
        assertInstanceOf(PolicyTranslator.Verdict.Absent.class, dual.pod(running(pod("x", "a"), "node-b")),
                "another node's pod without an address yet: nothing to match, left out until it has one");
        PolicyTranslator.Verdict.Use<PodInfo> mine = assertInstanceOf(PolicyTranslator.Verdict.Use.class,
                dual.pod(running(pod("x", "a").editOrNewMetadata().addToLabels("pod", "a").endMetadata(), "node-a")));
        assertEquals(List.of(), mine.value().ips(), "this node's pod is kept before it has an address: its labels "
                + "decide its isolation when the CNI ADD wires it");
        for (String phase : List.of("Succeeded", "Failed")) {
            Pod done = pod("x", "job").withNewStatus().withPhase(phase).addNewPodIP().withIp("10.244.2.7").endPodIP()
                    .endStatus().build();
            assertInstanceOf(PolicyTranslator.Verdict.Absent.class, dual.pod(done), phase + ": its address may be "
                    + "another pod's already");
        }
        Pod host = running(pod("kube-system", "kube-proxy").editOrNewSpec().withHostNetwork(true).endSpec(), "node-b",
                "192.168.1.2");
        PodInfo hostPod = ((PolicyTranslator.Verdict.Use<PodInfo>) dual.pod(host)).value();
        assertTrue(hostPod.hostNetwork(), "kept as hostNetwork: never selected, never a pod peer by its (node's) IP");
        assertInstanceOf(PolicyTranslator.Verdict.Absent.class, dual.pod(running(pod("kube-system", "kp")
                .editOrNewSpec().withHostNetwork(true).endSpec(), "node-a")), "a hostNetwork pod without an address");
    }

    @Test
    void malformedPods() {
        assertEquals("unnamed", ((PolicyTranslator.Verdict.Reject<PodInfo>) dual.pod(new PodBuilder().withNewMetadata()
                .withName("a").endMetadata().build())).why().reason(), "no namespace");
        Skipped bad = ((PolicyTranslator.Verdict.Reject<PodInfo>) dual.pod(running(pod("x", "a"), "node-b", "10.244.2.300")))
                .why();
        assertEquals("bad_pod_ip", bad.reason());
        assertTrue(bad.detail().contains("'10.244.2.300' does not parse"), bad.detail());
        PolicyTranslator.Verdict.Use<PodInfo> partly = assertInstanceOf(PolicyTranslator.Verdict.Use.class,
                dual.pod(running(pod("x", "a"), "node-b", "garbage", "10.244.2.3")));
        assertEquals(List.of(IpAddress.parse("10.244.2.3")), partly.value().ips());
        assertEquals(List.of("pod IP 'garbage' does not parse"), partly.problems());
        Pod badPort = running(pod("x", "a").editOrNewSpec().addNewContainer().withName("c").addNewPort().withName("web")
                .withContainerPort(0).endPort().addNewPort().withName("dns").withContainerPort(53).withProtocol("ICMP")
                .endPort().addNewPort().withName("ok").withContainerPort(8080).endPort().endContainer().endSpec(),
                "node-b", "10.244.2.3");
        PolicyTranslator.Verdict.Use<PodInfo> ports = assertInstanceOf(PolicyTranslator.Verdict.Use.class, dual.pod(badPort));
        assertEquals(List.of(new ContainerPort("ok", Protocol.TCP, 8080)), ports.value().ports());
        assertEquals(2, ports.problems().size(), ports.problems().toString());
    }

    /** The informer's cache keeps a cut-down pod: it must translate exactly as the full one. */
    @Test
    void theSlimPodTranslatesAsTheFullOne() {
        Pod full = ApiPolicyObjects.pod("x", "a", Map.of("pod", "a"), "node-b",
                List.of(IpAddress.parse("10.244.2.5"), IpAddress.parse("fd00:10:244:2::5")));
        full.getMetadata().setResourceVersion("42");
        full.getMetadata().setAnnotations(Map.of("big", "x".repeat(10_000)));
        full.getSpec().getContainers().getFirst().setArgs(List.of("netexec", "--http-port=80"));
        full.getSpec().setHostNetwork(false);
        Pod slim = SlimPods.slim(full);
        assertEquals(dual.pod(full), dual.pod(slim));
        assertEquals(v4.pod(full), v4.pod(slim));
        assertEquals("42", slim.getMetadata().getResourceVersion(), "the informer compares versions on relist");
        assertTrue(slim.getMetadata().getAnnotations() == null || slim.getMetadata().getAnnotations().isEmpty());
        assertEquals(null, slim.getSpec().getContainers().getFirst().getImage());
        Pod bare = new PodBuilder().withNewMetadata().withNamespace("x").withName("b").endMetadata().build();
        assertEquals(dual.pod(bare), dual.pod(SlimPods.slim(bare)), "a pod with no spec or status at all");
    }

    // ---------------------------------------------------------------- namespaces

    @Test
    void namespaces() {
        NamespaceInfo ns = ((PolicyTranslator.Verdict.Use<NamespaceInfo>) dual.namespace(
                ApiPolicyObjects.namespace("y", Map.of("ns", "y")))).value();
        assertEquals(NamespaceInfo.of("y", Map.of("ns", "y")), ns);
        NamespaceInfo bare = ((PolicyTranslator.Verdict.Use<NamespaceInfo>) dual.namespace(new NamespaceBuilder()
                .withNewMetadata().withName("z").endMetadata().build())).value();
        assertEquals(Map.of(NamespaceInfo.NAME_LABEL, "z"), bare.labels(), "the name label where a server leaves it out");
        assertEquals("unnamed", ((PolicyTranslator.Verdict.Reject<NamespaceInfo>) dual.namespace(new NamespaceBuilder()
                .withNewMetadata().endMetadata().build())).why().reason());
    }
}
