package io.podswitch.daemon.kubernetes.policy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Namespaces, Pods and NetworkPolicies from the API → the policy engine's inputs ({@code config.model.policy}),
 * with the semantics of the cluster file's {@code networkPolicy:} section (NetworkPolicyReader) and of the
 * API server's defaulting. The API server validates what it stores; a test server or an older one may not,
 * so every field is checked again and a malformed object is rejected with a reason, logged once by the
 * reconciler. Which way a failure goes is chosen so that it never opens traffic a valid reading would deny:
 *
 * <ul>
 *   <li>a NetworkPolicy without a name, namespace or spec, or whose {@code podSelector} is malformed, is
 *       rejected (it is not known whom it isolates);</li>
 *   <li>a malformed rule (a peer or port that does not parse) is left out: a rule only allows, so the policy
 *       still isolates its pods and allows less (a problem the reconciler logs);</li>
 *   <li>an unknown {@code policyTypes} entry is left out (logged); the others count.</li>
 * </ul>
 *
 * Pods: those in phase {@code Succeeded}/{@code Failed} are gone for NetworkPolicy (their addresses may be
 * a new pod's already); a pod with no address yet is left out until it has one — except a pod of this
 * node, whose labels matter before its CNI ADD (the CNI's addresses are added by the PolicyManager). Pure,
 * any thread.
 */
public final class PolicyTranslator {
    /** Why an object is not used, or the object and what was left out of it. */
    public sealed interface Verdict<T> {
        /** Used; {@code problems} names parts left out (logged once by the reconciler). */
        record Use<T>(T value, List<String> problems) implements Verdict<T> {
            public Use {
                problems = List.copyOf(problems);
            }
        }

        /** Not a policy input by design (a finished pod, a pod without an address yet): not logged. */
        record Absent<T>(String why) implements Verdict<T> {
        }

        /** Malformed: logged once with the reason, counted by {@code podswitch_kube_skipped_objects}. */
        record Reject<T>(Skipped why) implements Verdict<T> {
        }
    }

    private static final Map<String, Protocol> PROTOCOLS = Map.of("TCP", Protocol.TCP, "UDP", Protocol.UDP,
            "SCTP", Protocol.SCTP);

    private final List<IpFamily> families;
    private final String thisNode;

    /**
     * @param families the cluster's families: pod addresses of other families are ignored
     * @param thisNode this node's name: its pods are kept before they have an address
     */
    public PolicyTranslator(List<IpFamily> families, String thisNode) {
        this.families = List.copyOf(families);
        this.thisNode = thisNode;
    }

    // ---------------------------------------------------------------- namespaces

    public Verdict<NamespaceInfo> namespace(Namespace ns) {
        ObjectMeta m = ns.getMetadata();
        if (m == null || empty(m.getName())) {
            return new Verdict.Reject<>(new Skipped("unnamed", "has no metadata.name"));
        }
        // The API server sets kubernetes.io/metadata.name itself; of() adds it where a server does not.
        return new Verdict.Use<>(NamespaceInfo.of(m.getName(), labels(m)), List.of());
    }

    // ---------------------------------------------------------------- pods

    public Verdict<PodInfo> pod(Pod pod) {
        ObjectMeta m = pod.getMetadata();
        if (m == null || empty(m.getName()) || empty(m.getNamespace())) {
            return new Verdict.Reject<>(new Skipped("unnamed", "has no metadata.name or metadata.namespace"));
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return new Verdict.Absent<>("finished (" + phase + ")");
        }
        String nodeName = pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
        boolean hostNetwork = pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        List<String> problems = new ArrayList<>();
        List<IpAddress> ips = podIps(pod, problems);
        if (ips.isEmpty() && !(nodeName.equals(thisNode) && !hostNetwork)) {
            if (!problems.isEmpty()) {
                return new Verdict.Reject<>(new Skipped("bad_pod_ip", String.join("; ", problems)));
            }
            return new Verdict.Absent<>("no address yet");
        }
        List<ContainerPort> ports = new ArrayList<>();
        if (pod.getSpec() != null && pod.getSpec().getContainers() != null) {
            for (Container c : pod.getSpec().getContainers()) {
                if (c == null || c.getPorts() == null) {
                    continue;
                }
                for (io.fabric8.kubernetes.api.model.ContainerPort p : c.getPorts()) {
                    if (p == null || empty(p.getName())) {
                        continue; // only named ports matter to NetworkPolicy
                    }
                    Protocol protocol = p.getProtocol() == null ? Protocol.TCP : PROTOCOLS.get(p.getProtocol());
                    Integer number = p.getContainerPort();
                    if (protocol == null || number == null || number < 1 || number > 65535) {
                        problems.add("container port " + p.getName() + " (" + p.getProtocol() + "/" + number
                                + ") is not a port: left out");
                        continue;
                    }
                    ports.add(new ContainerPort(p.getName(), protocol, number));
                }
            }
        }
        return new Verdict.Use<>(new PodInfo(new NamespacedName(m.getNamespace(), m.getName()), labels(m), ips,
                nodeName, hostNetwork, ports), problems);
    }

    /** {@code status.podIPs} (else {@code status.podIP}), one per cluster family, the first of each. */
    private List<IpAddress> podIps(Pod pod, List<String> problems) {
        if (pod.getStatus() == null) {
            return List.of();
        }
        List<String> texts = new ArrayList<>();
        if (pod.getStatus().getPodIPs() != null && !pod.getStatus().getPodIPs().isEmpty()) {
            for (PodIP ip : pod.getStatus().getPodIPs()) {
                if (ip != null && !empty(ip.getIp())) {
                    texts.add(ip.getIp());
                }
            }
        } else if (!empty(pod.getStatus().getPodIP())) {
            texts.add(pod.getStatus().getPodIP());
        }
        List<IpAddress> out = new ArrayList<>();
        Set<IpFamily> seen = new java.util.HashSet<>();
        for (String text : texts) {
            IpAddress a;
            try {
                a = IpAddress.parse(text);
            } catch (IllegalArgumentException e) {
                problems.add("pod IP '" + text + "' does not parse");
                continue;
            }
            if (families.contains(a.family()) && seen.add(a.family())) {
                out.add(a);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- policies

    public Verdict<NetworkPolicy> policy(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy) {
        ObjectMeta m = policy.getMetadata();
        if (m == null || empty(m.getName()) || empty(m.getNamespace())) {
            return new Verdict.Reject<>(new Skipped("unnamed", "has no metadata.name or metadata.namespace"));
        }
        NetworkPolicySpec spec = policy.getSpec();
        if (spec == null) {
            return new Verdict.Reject<>(new Skipped("no_spec", "has no spec"));
        }
        List<String> problems = new ArrayList<>();
        LabelSelector podSelector;
        try {
            // Required by the API; an absent one reads as {} (all pods of the namespace), as in the cluster file.
            podSelector = spec.getPodSelector() == null ? LabelSelector.EVERYTHING : selector(spec.getPodSelector());
        } catch (IllegalArgumentException e) {
            return new Verdict.Reject<>(new Skipped("bad_selector", "spec.podSelector: " + e.getMessage()));
        }
        boolean ingressType = false;
        boolean egressType = false;
        boolean typesGiven = false;
        if (spec.getPolicyTypes() != null) {
            for (String t : spec.getPolicyTypes()) {
                if ("Ingress".equals(t)) {
                    ingressType = true;
                    typesGiven = true;
                } else if ("Egress".equals(t)) {
                    egressType = true;
                    typesGiven = true;
                } else {
                    problems.add("spec.policyTypes: '" + t + "' is neither Ingress nor Egress: left out");
                }
            }
        }
        List<PolicyRule> ingress = new ArrayList<>();
        if (spec.getIngress() != null) {
            for (int i = 0; i < spec.getIngress().size(); i++) {
                NetworkPolicyIngressRule r = spec.getIngress().get(i);
                rule("spec.ingress[" + i + "]", r == null ? null : r.getFrom(), r == null ? null : r.getPorts(),
                        ingress, problems);
            }
        }
        List<PolicyRule> egress = new ArrayList<>();
        if (spec.getEgress() != null) {
            for (int i = 0; i < spec.getEgress().size(); i++) {
                NetworkPolicyEgressRule r = spec.getEgress().get(i);
                rule("spec.egress[" + i + "]", r == null ? null : r.getTo(), r == null ? null : r.getPorts(), egress,
                        problems);
            }
        }
        // A rule left out still counts for the defaulting of policyTypes: "has egress rules" is about the object.
        boolean hasEgressRules = spec.getEgress() != null && !spec.getEgress().isEmpty();
        NetworkPolicy out = new NetworkPolicy(new NamespacedName(m.getNamespace(), m.getName()), podSelector,
                typesGiven ? ingressType : true, typesGiven ? egressType : hasEgressRules, ingress, egress);
        return new Verdict.Use<>(out, problems);
    }

    /** One rule into {@code out}, or a problem (the rule is left out: it would only have allowed). */
    private void rule(String path, List<NetworkPolicyPeer> peers,
                      List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort> ports, List<PolicyRule> out,
                      List<String> problems) {
        try {
            List<PolicyPeer> ps = new ArrayList<>();
            if (peers != null) {
                for (int i = 0; i < peers.size(); i++) {
                    ps.add(peer(path + ".peers[" + i + "]", peers.get(i), problems));
                }
            }
            List<PolicyPort> pts = new ArrayList<>();
            if (ports != null) {
                for (int i = 0; i < ports.size(); i++) {
                    pts.add(port(path + ".ports[" + i + "]", ports.get(i)));
                }
            }
            out.add(new PolicyRule(ps, pts));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage() + ": the rule is left out (it allows nothing)");
        }
    }

    private PolicyPeer peer(String path, NetworkPolicyPeer peer, List<String> problems) {
        if (peer == null) {
            throw new IllegalArgumentException(path + ": an empty peer");
        }
        IPBlock block = peer.getIpBlock();
        if (block != null) {
            if (peer.getPodSelector() != null || peer.getNamespaceSelector() != null) {
                throw new IllegalArgumentException(path + ": ipBlock combined with a selector");
            }
            Cidr cidr = cidr(path + ".ipBlock.cidr", block.getCidr(), problems);
            List<Cidr> except = new ArrayList<>();
            if (block.getExcept() != null) {
                for (String e : block.getExcept()) {
                    Cidr c = cidr(path + ".ipBlock.except", e, problems);
                    if (c.family() != cidr.family() || !cidr.contains(c) || c.prefixLength() == cidr.prefixLength()) {
                        throw new IllegalArgumentException(path + ".ipBlock.except: " + c + " is not strictly inside "
                                + cidr);
                    }
                    except.add(c);
                }
            }
            return new PolicyPeer.IpBlock(cidr, except);
        }
        if (peer.getPodSelector() == null && peer.getNamespaceSelector() == null) {
            throw new IllegalArgumentException(path + ": a peer needs podSelector, namespaceSelector or ipBlock");
        }
        try {
            return new PolicyPeer.Pods(peer.getNamespaceSelector() == null ? null : selector(peer.getNamespaceSelector()),
                    peer.getPodSelector() == null ? null : selector(peer.getPodSelector()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    /** A CIDR; host bits are cleared (the API's sloppy parsing keeps them, Calico and kube-proxy mask them). */
    private static Cidr cidr(String path, String text, List<String> problems) {
        if (empty(text)) {
            throw new IllegalArgumentException(path + ": missing");
        }
        int slash = text.indexOf('/');
        try {
            if (slash < 0) {
                throw new IllegalArgumentException("no prefix length");
            }
            IpAddress a = IpAddress.parse(text.substring(0, slash));
            int length = Integer.parseInt(text.substring(slash + 1));
            if (length < 0 || length > (a.family() == IpFamily.IPV4 ? 32 : 128)) {
                throw new IllegalArgumentException("prefix length " + length);
            }
            if (Cidr.hasHostBits(a, length)) {
                Cidr masked = Cidr.masked(a, length);
                problems.add(path + ": " + text + " has host bits set; read as " + masked);
                return masked;
            }
            return Cidr.masked(a, length);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": '" + text + "' is not a CIDR (" + e.getMessage() + ")", e);
        }
    }

    private static PolicyPort port(String path, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort p) {
        if (p == null) {
            throw new IllegalArgumentException(path + ": an empty port entry");
        }
        Protocol protocol = p.getProtocol() == null ? Protocol.TCP : PROTOCOLS.get(p.getProtocol());
        if (protocol == null) {
            throw new IllegalArgumentException(path + ".protocol: '" + p.getProtocol() + "' is not TCP, UDP or SCTP");
        }
        IntOrString port = p.getPort();
        Integer endPort = p.getEndPort();
        if (port == null || (port.getIntVal() == null && port.getStrVal() == null)) {
            if (endPort != null) {
                throw new IllegalArgumentException(path + ".endPort: needs a numeric port");
            }
            return PolicyPort.all(protocol);
        }
        if (port.getStrVal() != null) {
            String name = port.getStrVal();
            if (!name.matches("[a-z0-9]([a-z0-9]|-(?=[a-z0-9]))*") || name.length() > 15
                    || name.chars().noneMatch(Character::isLetter)) {
                throw new IllegalArgumentException(path + ".port: '" + name + "' is neither a port number nor a port name");
            }
            if (endPort != null) {
                throw new IllegalArgumentException(path + ".endPort: needs a numeric port, not the name " + name);
            }
            return PolicyPort.named(protocol, name);
        }
        int first = port.getIntVal();
        if (first < 1 || first > 65535) {
            throw new IllegalArgumentException(path + ".port: " + first + " is not a port (1..65535)");
        }
        if (endPort == null) {
            return PolicyPort.number(protocol, first);
        }
        if (endPort < first || endPort > 65535) {
            throw new IllegalArgumentException(path + ".endPort: " + endPort + " is not a port ≥ port " + first);
        }
        return PolicyPort.range(protocol, first, endPort);
    }

    static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector s) {
        Map<String, String> matchLabels = s.getMatchLabels() == null ? Map.of() : s.getMatchLabels();
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (empty(e.getKey()) || e.getValue() == null) {
                throw new IllegalArgumentException("matchLabels " + e.getKey() + "=" + e.getValue() + " is not a label");
            }
        }
        List<LabelRequirement> expressions = new ArrayList<>();
        if (s.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : s.getMatchExpressions()) {
                if (r == null || empty(r.getKey())) {
                    throw new IllegalArgumentException("a matchExpressions entry without a key");
                }
                LabelRequirement.Operator op = null;
                for (LabelRequirement.Operator o : LabelRequirement.Operator.values()) {
                    if (o.apiName().equals(r.getOperator())) {
                        op = o;
                    }
                }
                if (op == null) {
                    throw new IllegalArgumentException("matchExpressions " + r.getKey() + ": operator '" + r.getOperator()
                            + "' is not In, NotIn, Exists or DoesNotExist");
                }
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean needsValues = op == LabelRequirement.Operator.IN || op == LabelRequirement.Operator.NOT_IN;
                if (needsValues == values.isEmpty()) {
                    throw new IllegalArgumentException("matchExpressions " + r.getKey() + ": " + op.apiName()
                            + (needsValues ? " needs values" : " takes no values"));
                }
                if (values.contains(null)) {
                    throw new IllegalArgumentException("matchExpressions " + r.getKey() + ": a null value");
                }
                expressions.add(new LabelRequirement(r.getKey(), op, List.copyOf(new LinkedHashSet<>(values))));
            }
        }
        return new LabelSelector(matchLabels, expressions);
    }

    private static Map<String, String> labels(ObjectMeta m) {
        if (m.getLabels() == null) {
            return Map.of();
        }
        Map<String, String> out = new java.util.HashMap<>();
        m.getLabels().forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }
}
