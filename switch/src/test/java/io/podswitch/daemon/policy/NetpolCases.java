package io.podswitch.daemon.policy;

import static io.podswitch.config.model.policy.LabelRequirement.Operator.DOES_NOT_EXIST;
import static io.podswitch.config.model.policy.LabelRequirement.Operator.EXISTS;
import static io.podswitch.config.model.policy.LabelRequirement.Operator.IN;
import static io.podswitch.config.model.policy.LabelRequirement.Operator.NOT_IN;
import static io.podswitch.daemon.policy.Policies.allowAll;
import static io.podswitch.daemon.policy.Policies.cidr;
import static io.podswitch.daemon.policy.Policies.expression;
import static io.podswitch.daemon.policy.Policies.from;
import static io.podswitch.daemon.policy.Policies.labels;
import static io.podswitch.daemon.policy.Policies.named;
import static io.podswitch.daemon.policy.Policies.namespaces;
import static io.podswitch.daemon.policy.Policies.nsName;
import static io.podswitch.daemon.policy.Policies.peers;
import static io.podswitch.daemon.policy.Policies.pods;
import static io.podswitch.daemon.policy.Policies.podsIn;
import static io.podswitch.daemon.policy.Policies.policy;
import static io.podswitch.daemon.policy.Policies.ports;
import static io.podswitch.daemon.policy.Policies.rule;
import static io.podswitch.daemon.policy.Policies.sctp;
import static io.podswitch.daemon.policy.Policies.tcp;
import static io.podswitch.daemon.policy.Policies.udp;
import static io.podswitch.daemon.policy.Reachability.Peer.any;
import static io.podswitch.daemon.policy.Reachability.Peer.ns;
import static io.podswitch.daemon.policy.Reachability.Peer.pod;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.daemon.policy.NetpolCase.Check;
import io.podswitch.daemon.policy.NetpolCase.Probe;
import io.podswitch.daemon.policy.NetpolCase.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The truth-table cases, rebuilt from the upstream NetworkPolicy e2e suite (kubernetes
 * test/e2e/network/netpol/network_policy.go, its TCP, UDP and SCTP families) on the full 3×3 world, plus
 * endPort ranges and a few combinations the suite lacks. Every expected table is derived from the spec by
 * hand, as upstream writes them; {@code PolicyModelTest} checks the reference model agrees, the compiled
 * tables are checked against both, and the cluster test checks real traffic across two nodes.
 *
 * <p>ipBlock cases use the pods' addresses of {@code family}, so the list is built per family.
 */
public final class NetpolCases {
    private static final Probe TCP80 = new Probe(Protocol.TCP, 80);
    private static final Probe TCP81 = new Probe(Protocol.TCP, 81);
    private static final Probe UDP80 = new Probe(Protocol.UDP, 80);
    private static final Probe UDP81 = new Probe(Protocol.UDP, 81);
    private static final Probe SCTP80 = new Probe(Protocol.SCTP, 80);
    private static final Probe SCTP81 = new Probe(Protocol.SCTP, 81);

    private final NetpolWorld world;
    private final IpFamily family;
    private final List<NetpolCase> cases = new ArrayList<>();

    private NetpolCases(NetpolWorld world, IpFamily family) {
        this.world = world;
        this.family = family;
    }

    /** Every case; SCTP probes included (callers without SCTP in the kernel skip those checks). */
    public static List<NetpolCase> all(NetpolWorld world, IpFamily family) {
        NetpolCases c = new NetpolCases(world, family);
        c.build();
        return List.copyOf(c.cases);
    }

    private static Reachability all() {
        return Reachability.allowAll();
    }

    private static Check check(Probe probe, Reachability expected) {
        return new Check(probe, expected);
    }

    private static Step step(String description, List<NetworkPolicy> policies, Check... checks) {
        return new Step(description, policies, Map.of(), Map.of(), List.of(checks));
    }

    private void one(String name, List<NetworkPolicy> policies, Check... checks) {
        cases.add(new NetpolCase(name, List.of(step(name, policies, checks))));
    }

    private void steps(String name, Step... steps) {
        cases.add(new NetpolCase(name, List.of(steps)));
    }

    /** Only {@code sources} may reach {@code target}; everything else untouched. */
    private static Reachability ingressOnly(String target, String... sources) {
        Reachability r = all().expectAllIngress(target, false);
        for (String s : sources) {
            r.expect(s, target, true);
        }
        return r;
    }

    private String ip(String pod) {
        return world.address(pod, family).toString();
    }

    private String host(String pod) {
        return ip(pod) + (family == IpFamily.IPV4 ? "/32" : "/128");
    }

    /** The upstream suite's makeLargeCIDRForIP: the /4 (IPv4) or /64... here the /16 (IPv4) or /64 (IPv6) around the pod. */
    private String large(String pod) {
        IpAddress a = world.address(pod, family);
        return Cidr.masked(a, family == IpFamily.IPV4 ? 16 : 64).toString();
    }

    private void build() {
        // ------------------------------------------------------------ default deny
        one("default-deny-ingress", List.of(policy("x", "deny-ingress").ingress().build()),
                check(TCP80, all().expectPeer(any(), ns("x"), false)));
        one("default-deny-all", List.of(policy("x", "deny-all").ingress().egress().build()),
                check(TCP80, all().expectPeer(any(), ns("x"), false).expectPeer(ns("x"), any(), false)));
        one("deny-egress-from-pod-by-podselector", List.of(policy("x", "deny-egress-pod-a").selectPod("a").egress().build()),
                check(TCP80, all().expectAllEgress("x/a", false)));
        one("deny-egress-from-all-pods-in-namespace", List.of(policy("x", "deny-egress-ns-x").egress().build()),
                check(TCP80, all().expectPeer(ns("x"), any(), false)));
        one("deny-ingress-from-other-namespaces", List.of(policy("x", "deny-empty-policy").ingress(from(pods(LabelSelector.EVERYTHING))).build()),
                check(TCP80, all().expectPeer(ns("y"), ns("x"), false).expectPeer(ns("z"), ns("x"), false)));

        // ------------------------------------------------------------ pod and namespace selectors
        one("allow-from-pod-by-podselector",
                List.of(policy("x", "x-a-allows-x-b").selectPod("a").ingress(from(pods(labels("pod", "b")))).build()),
                check(TCP80, ingressOnly("x/a", "x/b")));
        steps("allow-ingress-for-a-target",
                step("deny all, then allow all to x/a", List.of(policy("x", "deny-all").ingress().build(),
                        policy("x", "allow-all-to-a").selectPod("a").ingress(from(podsIn(LabelSelector.EVERYTHING, LabelSelector.EVERYTHING))).build()),
                        check(TCP80, all().expectPeer(any(), ns("x"), false).expectAllIngress("x/a", true))));
        one("allow-from-pods-in-all-namespaces",
                List.of(policy("x", "allow-from-another-ns").selectPod("a").ingress(from(namespaces(LabelSelector.EVERYTHING))).build()),
                check(TCP80, all()));
        one("allow-only-from-other-namespace-by-namespaceselector",
                List.of(policy("x", "allow-client-a-via-ns-selector").selectPod("a").ingress(from(namespaces(nsName("y")))).build()),
                check(TCP80, ingressOnly("x/a", "y/a", "y/b", "y/c")));
        one("podselector-matchexpressions",
                List.of(policy("x", "x-a-allows-x-b").selectPod("a").ingress(from(pods(expression("pod", IN, "b")))).build()),
                check(TCP80, ingressOnly("x/a", "x/b")));
        one("namespaceselector-matchexpressions",
                List.of(policy("x", "allow-ns-y-match-selector").selectPod("a")
                        .ingress(from(namespaces(expression("kubernetes.io/metadata.name", IN, "y")))).build()),
                check(TCP80, ingressOnly("x/a", "y/a", "y/b", "y/c")));
        one("podselector-or-namespaceselector",
                List.of(policy("x", "allow-ns-y-match-selector").selectPod("a").ingress(from(
                        namespaces(expression("kubernetes.io/metadata.name", NOT_IN, "x")), pods(labels("pod", "b")))).build()),
                check(TCP80, all().expect("x/c", "x/a", false)));
        one("podselector-and-namespaceselector",
                List.of(policy("x", "allow-ns-y-podselector-and-nsselector").selectPod("a").ingress(from(
                        podsIn(expression("kubernetes.io/metadata.name", NOT_IN, "x"), labels("pod", "b")))).build()),
                check(TCP80, ingressOnly("x/a", "y/b", "z/b")));
        one("multiple-podselectors-and-namespaceselectors",
                List.of(policy("x", "allow-ns-y-z-pod-b-c").selectPod("a").ingress(from(
                        podsIn(expression("kubernetes.io/metadata.name", NOT_IN, "x"), expression("pod", IN, "b", "c")))).build()),
                check(TCP80, ingressOnly("x/a", "y/b", "y/c", "z/b", "z/c")));
        one("any-podselectors",
                List.of(policy("x", "allow-ns-x-pod-b-c").selectPod("a").ingress(from(pods(labels("pod", "b")), pods(labels("pod", "c")))).build()),
                check(TCP80, ingressOnly("x/a", "x/b", "x/c")));
        one("pod-in-other-namespace-by-podselector-and-namespaceselector",
                List.of(policy("x", "allow-ns-y-pod-a-via-namespace-pod-selector").selectPod("a")
                        .ingress(from(podsIn(nsName("y"), labels("pod", "a")))).build()),
                check(TCP80, ingressOnly("x/a", "y/a")));
        one("namespaceselector-matchlabels-default-ns-label",
                List.of(policy("x", "allow-client-a-via-ns-selector-for-immutable-ns-label").selectPod("a")
                        .ingress(from(namespaces(nsName("y")))).build()),
                check(TCP80, all().expectPeer(ns("x"), pod("x/a"), false).expectPeer(ns("z"), pod("x/a"), false)));
        one("namespaceselector-matchexpressions-default-ns-label-egress",
                List.of(policy("x", "allow-ns-y-match-selector-for-immutable-ns-label").selectPod("a")
                        .egress(from(namespaces(expression("kubernetes.io/metadata.name", NOT_IN, "y")))).build()),
                check(TCP80, all().expectPeer(pod("x/a"), ns("y"), false)));
        one("podselector-exists-and-does-not-exist",
                List.of(policy("y", "exists").select(expression("pod", EXISTS)).ingress(from(
                        podsIn(LabelSelector.EVERYTHING, expression("team", DOES_NOT_EXIST)))).build()),
                check(TCP80, all()));

        // ------------------------------------------------------------ ports, named ports, protocols, endPort
        one("ports-81-from-namespace-y",
                List.of(policy("x", "allow-client-a-via-ns-selector").selectPod("a")
                        .ingress(rule(peers(namespaces(nsName("y"))), tcp(81))).build()),
                check(TCP81, ingressOnly("x/a", "y/a", "y/b", "y/c")),
                check(TCP80, ingressOnly("x/a")));
        steps("stacked-policies-overlapping-podselectors",
                step("81 from y", List.of(policy("x", "allow-client-a-via-ns-selector").selectPod("a")
                                .ingress(rule(peers(namespaces(nsName("y"))), tcp(81))).build()),
                        check(TCP81, ingressOnly("x/a", "y/a", "y/b", "y/c")), check(TCP80, ingressOnly("x/a"))),
                step("and 80 from y", List.of(policy("x", "allow-client-a-via-ns-selector").selectPod("a")
                                .ingress(rule(peers(namespaces(nsName("y"))), tcp(81))).build(),
                        policy("x", "allow-client-a-via-ns-selector-80").selectPod("a")
                                .ingress(rule(peers(namespaces(nsName("y"))), tcp(80))).build()),
                        check(TCP80, ingressOnly("x/a", "y/a", "y/b", "y/c"))));
        one("allow-all-policy", List.of(policy("x", "allow-all").ingress(allowAll()).build()),
                check(TCP80, all()), check(TCP81, all()));
        one("ingress-on-one-named-port",
                List.of(policy("x", "allow-all").ingress(ports(named("serve-81-tcp"))).build()),
                check(TCP81, all()), check(TCP80, all().expectPeer(any(), ns("x"), false)));
        one("ingress-from-namespace-on-one-named-port",
                List.of(policy("x", "allow-client-a-via-ns-selector-80").selectPod("a")
                        .ingress(rule(peers(namespaces(nsName("y"))), named("serve-80-tcp"))).build()),
                check(TCP80, ingressOnly("x/a", "y/a", "y/b", "y/c")), check(TCP81, ingressOnly("x/a")));
        one("egress-on-one-named-port",
                List.of(policy("x", "allow-egress").egress(ports(named("serve-80-tcp"))).build()),
                check(TCP80, all()), check(TCP81, all().expectPeer(ns("x"), any(), false)));
        one("ingress-any-port-on-a-protocol",
                List.of(policy("x", "allow-ingress-by-proto").selectPod("a").ingress(ports(PolicyPort.all(Protocol.TCP))).build()),
                check(TCP80, all()), check(UDP80, all().expectAllIngress("x/a", false)));
        one("ingress-and-egress-together",
                List.of(policy("x", "allow-client-a-via-pod-selector").selectPod("a").types(true, true)
                        .ingress(from(pods(labels("pod", "b")))).egress(ports(PolicyPort.number(Protocol.TCP, 80))).build()),
                check(TCP80, ingressOnly("x/a", "x/b")),
                check(TCP81, ingressOnly("x/a", "x/b").expectAllEgress("x/a", false)));
        one("sctp-policy-does-not-allow-tcp",
                List.of(policy("x", "deny-ingress").ingress().build(),
                        policy("x", "allow-only-sctp-ingress-on-port-81").selectPod("a").ingress(ports(sctp(81))).build()),
                check(TCP81, all().expectPeer(any(), ns("x"), false)),
                check(SCTP81, all().expectPeer(any(), ns("x"), false).expectAllIngress("x/a", true)));
        one("sctp-policy-isolates",
                List.of(policy("x", "allow-only-sctp-ingress-on-port-80").selectPod("a").ingress(ports(sctp(80))).build()),
                check(TCP81, all().expectAllIngress("x/a", false)), check(SCTP80, all()));
        one("udp-policy-does-not-allow-tcp",
                List.of(policy("x", "allow-only-udp-ingress-on-port-81").selectPod("a").ingress(ports(udp(81))).build()),
                check(TCP81, all().expectAllIngress("x/a", false)), check(UDP81, all()));
        one("udp-default-deny-ingress", List.of(policy("x", "deny-all").ingress().build()),
                check(UDP80, all().expectPeer(any(), ns("x"), false)));
        one("udp-ports-81-from-namespace-y",
                List.of(policy("x", "allow-ingress-on-port-81-ns-x").selectPod("a")
                        .ingress(rule(peers(namespaces(nsName("y"))), udp(81))).build()),
                check(UDP81, ingressOnly("x/a", "y/a", "y/b", "y/c")), check(UDP80, ingressOnly("x/a")));
        one("udp-pod-in-other-namespace-by-both-selectors",
                List.of(policy("x", "allow-ns-y-pod-a-via-namespace-pod-selector").selectPod("a")
                        .ingress(from(podsIn(nsName("y"), labels("pod", "a")))).build()),
                check(UDP80, ingressOnly("x/a", "y/a")));
        one("sctp-default-deny-ingress", List.of(policy("x", "deny-all").ingress().build()),
                check(SCTP80, all().expectPeer(any(), ns("x"), false)));
        one("egress-port-range-endport",
                List.of(policy("x", "allow-egress-range").selectPod("a")
                        .egress(rule(peers(namespaces(nsName("y"))), PolicyPort.range(Protocol.TCP, 80, 81))).build()),
                check(TCP80, all().expectAllEgress("x/a", false).expectPeer(pod("x/a"), ns("y"), true)),
                check(TCP81, all().expectAllEgress("x/a", false).expectPeer(pod("x/a"), ns("y"), true)),
                check(UDP80, all().expectAllEgress("x/a", false)));
        one("ingress-port-range-endport-excludes-80",
                List.of(policy("y", "allow-81-to-90").ingress(ports(PolicyPort.range(Protocol.TCP, 81, 90))).build()),
                check(TCP81, all()), check(TCP80, all().expectPeer(any(), ns("y"), false)));
        one("ingress-udp-named-port-from-pods-and-tcp-range",
                List.of(policy("z", "mixed").selectPod("c").ingress(
                        rule(peers(pods(labels("pod", "a"))), PolicyPort.named(Protocol.UDP, "serve-81-udp")),
                        rule(peers(namespaces(nsName("x"))), PolicyPort.range(Protocol.TCP, 79, 80))).build()),
                check(UDP81, ingressOnly("z/c", "z/a")), check(TCP80, ingressOnly("z/c", "x/a", "x/b", "x/c")),
                check(TCP81, ingressOnly("z/c")));

        // ------------------------------------------------------------ egress selectors, client side
        one("egress-denied-on-client-even-if-server-allows",
                List.of(policy("x", "allow-to-ns-y-pod-a").selectPod("a").egress(from(podsIn(nsName("y"), labels("pod", "a")))).build(),
                        policy("y", "allow-from-xa-on-ya-match-selector").selectPod("a").ingress(from(podsIn(nsName("x"), labels("pod", "a")))).build(),
                        policy("y", "allow-from-xa-on-yb-match-selector").selectPod("b").ingress(from(podsIn(nsName("x"), labels("pod", "a")))).build()),
                check(TCP80, all().expectPeer(pod("x/a"), any(), false).expectPeer(any(), pod("y/a"), false)
                        .expect("x/a", "y/a", true).expectPeer(any(), pod("y/b"), false)));
        one("egress-to-pod-in-other-namespace",
                List.of(policy("x", "allow-to-ns-y-pod-a").selectPod("a").egress(from(podsIn(nsName("y"), labels("pod", "a")))).build()),
                check(TCP80, all().expectAllEgress("x/a", false).expect("x/a", "y/a", true)));

        // ------------------------------------------------------------ precedence, updates, deletion
        steps("multiple-ingress-policies-allow-all-takes-precedence",
                step("only 80", List.of(policy("x", "allow-ingress-port-80").ingress(ports(tcp(80))).build()),
                        check(TCP81, all().expectPeer(any(), ns("x"), false))),
                step("plus allow all", List.of(policy("x", "allow-ingress-port-80").ingress(ports(tcp(80))).build(),
                        policy("x", "allow-ingress").ingress(allowAll()).build()), check(TCP81, all())));
        steps("multiple-egress-policies-allow-all-takes-precedence",
                step("only 80", List.of(policy("x", "allow-egress-port-80").egress(ports(tcp(80))).build()),
                        check(TCP81, all().expectPeer(ns("x"), any(), false))),
                step("plus allow all", List.of(policy("x", "allow-egress-port-80").egress(ports(tcp(80))).build(),
                        policy("x", "allow-egress").egress(allowAll()).build()), check(TCP81, all())));
        steps("updated-policy-allow-all-to-deny-all",
                step("allow all", List.of(policy("x", "allow-all-mutate-to-deny-all").ingress(allowAll()).build()),
                        check(TCP81, all())),
                step("updated to deny all", List.of(policy("x", "allow-all-mutate-to-deny-all").ingress().build()),
                        check(TCP81, all().expectPeer(any(), ns("x"), false))));
        steps("stop-enforcing-after-deletion",
                step("deny all in and out of x", List.of(policy("x", "deny-all").ingress().egress().build()),
                        check(TCP80, all().expectPeer(ns("x"), any(), false).expectPeer(any(), ns("x"), false))),
                step("deleted", List.of(), check(TCP80, all())));
        steps("ingress-and-egress-controlled-independently",
                step("egress allowed for x/a", List.of(policy("x", "allow-egress-for-target").selectPod("a").egress(allowAll()).build()),
                        check(TCP80, all())),
                step("plus deny ingress to x/a", List.of(policy("x", "allow-egress-for-target").selectPod("a").egress(allowAll()).build(),
                        policy("x", "deny-ingress-via-label-selector").selectPod("a").ingress().build()),
                        check(TCP80, all().expectAllIngress("x/a", false))));

        // ------------------------------------------------------------ relabelling
        NetworkPolicy fromUpdatedNs = policy("x", "allow-client-a-via-ns-selector").selectPod("a")
                .ingress(from(namespaces(labels("ns2", "updated")))).build();
        steps("ingress-from-updated-namespace",
                step("no namespace has ns2", List.of(fromUpdatedNs), check(TCP80, ingressOnly("x/a"))),
                new Step("y labelled ns2=updated", List.of(fromUpdatedNs), Map.of(),
                        Map.of("y", Map.of("ns", "y", "ns2", "updated")),
                        List.of(check(TCP80, ingressOnly("x/a", "y/a", "y/b", "y/c")))));
        NetworkPolicy fromUpdatedPod = policy("x", "allow-client-a-via-pod-selector").selectPod("a")
                .ingress(from(pods(labels("pod", "b", "pod2", "updated")))).build();
        steps("ingress-from-updated-pod",
                step("x/b lacks pod2", List.of(fromUpdatedPod), check(TCP80, ingressOnly("x/a"))),
                new Step("x/b labelled pod2=updated", List.of(fromUpdatedPod), Map.of("x/b", Map.of("pod", "b", "pod2", "updated")),
                        Map.of(), List.of(check(TCP80, ingressOnly("x/a", "x/b")))));
        NetworkPolicy isolateTarget = policy("x", "deny-ingress-via-label-selector").select(labels("target", "isolated")).ingress().build();
        steps("deny-ingress-to-updated-pod",
                step("nothing labelled target", List.of(isolateTarget), check(TCP80, all())),
                new Step("x/a labelled target=isolated", List.of(isolateTarget), Map.of("x/a", Map.of("pod", "a", "target", "isolated")),
                        Map.of(), List.of(check(TCP80, all().expectAllIngress("x/a", false)))));

        // ------------------------------------------------------------ ipBlock
        one("egress-to-server-in-cidr-block",
                List.of(policy("x", "allow-client-a-via-cidr-egress-rule").selectPod("a").egress(from(cidr(host("y/b")))).build()),
                check(TCP80, all().expectAllEgress("x/a", false).expect("x/a", "y/b", true)));
        one("except-clause-in-egress-cidr",
                List.of(policy("x", "allow-client-a-via-cidr-egress-rule").selectPod("a")
                        .egress(from(cidr(large("x/b"), host("x/b")))).build()),
                check(TCP80, exceptExpectation()));
        steps("ip-in-both-cidr-and-except",
                step("except x/b", List.of(policy("x", "allow-client-a-via-cidr-egress-rule").selectPod("a")
                                .egress(from(cidr(large("x/b"), host("x/b")))).build()), check(TCP80, exceptExpectation())),
                step("replaced: only x/b", List.of(policy("x", "allow-client-a-via-cidr-egress-rule").selectPod("a")
                                .egress(from(cidr(host("x/b")))).build()),
                        check(TCP80, all().expectAllEgress("x/a", false).expect("x/a", "x/b", true))),
                step("both policies: x/b through the second", List.of(policy("x", "allow-client-a-via-cidr-egress-rule").selectPod("a")
                                .egress(from(cidr(large("x/b"), host("x/b")))).build(),
                        policy("x", "allow-x-b").selectPod("a").egress(from(cidr(host("x/b")))).build()),
                        check(TCP80, exceptExpectation().expect("x/a", "x/b", true))));
        one("ingress-from-cidr-of-one-pod-with-ports",
                List.of(policy("z", "from-one-address").selectPod("b").ingress(rule(peers(cidr(host("x/c"))), tcp(81))).build()),
                check(TCP81, ingressOnly("z/b", "x/c")), check(TCP80, ingressOnly("z/b")));
    }

    /** x/a may reach pods in the large CIDR around x/b except x/b itself (and nothing outside it). */
    private Reachability exceptExpectation() {
        Cidr block = Cidr.parse(large("x/b"));
        Reachability r = all();
        for (String to : NetpolWorld.allPods()) {
            boolean inside = block.contains(world.address(to, family)) && !to.equals("x/b");
            r.expect("x/a", to, inside);
        }
        return r;
    }
}
