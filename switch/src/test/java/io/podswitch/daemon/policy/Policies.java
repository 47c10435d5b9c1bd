package io.podswitch.daemon.policy;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.LabelRequirement;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Test shorthand for NetworkPolicy objects, close to the upstream suite's generators. */
public final class Policies {
    private Policies() {
    }

    public static Builder policy(String namespace, String name) {
        return new Builder(namespace, name);
    }

    public static final class Builder {
        private final NamespacedName id;
        private LabelSelector podSelector = LabelSelector.EVERYTHING;
        private List<PolicyRule> ingress;
        private List<PolicyRule> egress;
        private Boolean ingressType;
        private Boolean egressType;

        private Builder(String namespace, String name) {
            id = new NamespacedName(namespace, name);
        }

        public Builder select(LabelSelector selector) {
            podSelector = selector;
            return this;
        }

        public Builder selectPod(String pod) {
            return select(labels("pod", pod));
        }

        /** Ingress rules (none = deny all ingress); makes the policy apply to Ingress. */
        public Builder ingress(PolicyRule... rules) {
            ingress = List.of(rules);
            return this;
        }

        /** Egress rules (none = deny all egress); makes the policy apply to Egress. */
        public Builder egress(PolicyRule... rules) {
            egress = List.of(rules);
            return this;
        }

        /** Explicit policyTypes (otherwise: those whose rules were set, as the upstream generators do). */
        public Builder types(boolean ingressType, boolean egressType) {
            this.ingressType = ingressType;
            this.egressType = egressType;
            return this;
        }

        public NetworkPolicy build() {
            boolean in = ingressType != null ? ingressType : ingress != null;
            boolean out = egressType != null ? egressType : egress != null;
            return NetworkPolicy.of(id, podSelector, true, in, out, ingress == null ? List.of() : ingress,
                    egress == null ? List.of() : egress);
        }
    }

    public static LabelSelector labels(String... keyValues) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return LabelSelector.of(m);
    }

    public static LabelSelector expression(String key, LabelRequirement.Operator op, String... values) {
        return new LabelSelector(Map.of(), List.of(new LabelRequirement(key, op, Arrays.asList(values))));
    }

    public static LabelSelector nsName(String namespace) {
        return labels("kubernetes.io/metadata.name", namespace);
    }

    public static PolicyRule rule(List<PolicyPeer> peers, PolicyPort... ports) {
        return new PolicyRule(peers, List.of(ports));
    }

    /** {@code {}}: a rule allowing everything. */
    public static PolicyRule allowAll() {
        return PolicyRule.ALLOW_ALL;
    }

    /** A rule of peers only (every port); used for {@code from} and {@code to} alike. */
    public static PolicyRule from(PolicyPeer... peers) {
        return new PolicyRule(List.of(peers), List.of());
    }

    public static PolicyRule ports(PolicyPort... ports) {
        return new PolicyRule(List.of(), List.of(ports));
    }

    public static List<PolicyPeer> peers(PolicyPeer... peers) {
        return new ArrayList<>(List.of(peers));
    }

    public static PolicyPeer pods(LabelSelector podSelector) {
        return new PolicyPeer.Pods(null, podSelector);
    }

    public static PolicyPeer namespaces(LabelSelector namespaceSelector) {
        return new PolicyPeer.Pods(namespaceSelector, null);
    }

    public static PolicyPeer podsIn(LabelSelector namespaceSelector, LabelSelector podSelector) {
        return new PolicyPeer.Pods(namespaceSelector, podSelector);
    }

    public static PolicyPeer cidr(String cidr, String... except) {
        return new PolicyPeer.IpBlock(Cidr.parse(cidr), Arrays.stream(except).map(Cidr::parse).toList());
    }

    public static PolicyPort tcp(int port) {
        return PolicyPort.number(Protocol.TCP, port);
    }

    public static PolicyPort udp(int port) {
        return PolicyPort.number(Protocol.UDP, port);
    }

    public static PolicyPort sctp(int port) {
        return PolicyPort.number(Protocol.SCTP, port);
    }

    public static PolicyPort named(String name) {
        return PolicyPort.named(Protocol.TCP, name);
    }
}
