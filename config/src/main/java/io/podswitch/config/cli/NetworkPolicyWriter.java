package io.podswitch.config.cli;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code networkPolicy:} section as YAML-ready maps and lists, in the input schema (policies as
 * Kubernetes manifests with their {@code policyTypes} spelled out): what {@code podswitch config show}
 * prints, and it loads back to the same section.
 */
public final class NetworkPolicyWriter {

    private NetworkPolicyWriter() {
    }

    /** The section as YAML text, {@code networkPolicy:} and all, ready to append to a cluster file. */
    public static String yaml(NetworkPolicyConfig config) {
        return EffectiveConfigWriter.dump(Map.of("networkPolicy", section(config)));
    }

    public static Map<String, Object> section(NetworkPolicyConfig config) {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Object> namespaces = new ArrayList<>();
        for (NamespaceInfo n : config.namespaces()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            Map<String, String> labels = new LinkedHashMap<>(n.labels());
            labels.remove(NamespaceInfo.NAME_LABEL); // implied
            if (!labels.isEmpty()) {
                m.put("labels", labels);
            }
            namespaces.add(m);
        }
        root.put("namespaces", namespaces);
        List<Object> pods = new ArrayList<>();
        for (PodInfo p : config.pods()) {
            pods.add(pod(p));
        }
        root.put("pods", pods);
        List<Object> policies = new ArrayList<>();
        for (NetworkPolicy p : config.policies()) {
            policies.add(policy(p));
        }
        root.put("policies", policies);
        return root;
    }

    static Map<String, Object> pod(PodInfo p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", p.namespace());
        m.put("name", p.id().name());
        if (!p.labels().isEmpty()) {
            m.put("labels", new LinkedHashMap<>(p.labels()));
        }
        if (!p.ips().isEmpty()) {
            m.put("ips", p.ips().stream().map(Object::toString).toList());
        }
        if (!p.nodeName().isEmpty()) {
            m.put("node", p.nodeName());
        }
        if (p.hostNetwork()) {
            m.put("hostNetwork", true);
        }
        if (!p.ports().isEmpty()) {
            List<Object> ports = new ArrayList<>();
            for (ContainerPort c : p.ports()) {
                Map<String, Object> port = new LinkedHashMap<>();
                port.put("name", c.name());
                port.put("containerPort", c.port());
                port.put("protocol", c.protocol().name());
                ports.add(port);
            }
            m.put("ports", ports);
        }
        return m;
    }

    /** One policy as a {@code networking.k8s.io/v1} manifest. */
    public static Map<String, Object> policy(NetworkPolicy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("apiVersion", "networking.k8s.io/v1");
        m.put("kind", "NetworkPolicy");
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", p.id().name());
        metadata.put("namespace", p.id().namespace());
        m.put("metadata", metadata);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("podSelector", selector(p.podSelector()));
        List<String> types = new ArrayList<>();
        if (p.ingress()) {
            types.add("Ingress");
        }
        if (p.egress()) {
            types.add("Egress");
        }
        spec.put("policyTypes", types);
        if (p.ingress() || !p.ingressRules().isEmpty()) {
            spec.put("ingress", rules(p.ingressRules(), "from"));
        }
        if (p.egress() || !p.egressRules().isEmpty()) {
            spec.put("egress", rules(p.egressRules(), "to"));
        }
        m.put("spec", spec);
        return m;
    }

    private static List<Object> rules(List<PolicyRule> rules, String peersKey) {
        List<Object> out = new ArrayList<>();
        for (PolicyRule r : rules) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (!r.peers().isEmpty()) {
                List<Object> peers = new ArrayList<>();
                for (PolicyPeer peer : r.peers()) {
                    peers.add(peer(peer));
                }
                m.put(peersKey, peers);
            }
            if (!r.ports().isEmpty()) {
                List<Object> ports = new ArrayList<>();
                for (PolicyPort port : r.ports()) {
                    ports.add(port(port));
                }
                m.put("ports", ports);
            }
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> peer(PolicyPeer peer) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (peer) {
            case PolicyPeer.Pods pods -> {
                if (pods.podSelector() != null) {
                    m.put("podSelector", selector(pods.podSelector()));
                }
                if (pods.namespaceSelector() != null) {
                    m.put("namespaceSelector", selector(pods.namespaceSelector()));
                }
            }
            case PolicyPeer.IpBlock block -> {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("cidr", block.cidr().toString());
                if (!block.except().isEmpty()) {
                    b.put("except", block.except().stream().map(Object::toString).toList());
                }
                m.put("ipBlock", b);
            }
        }
        return m;
    }

    private static Map<String, Object> port(PolicyPort port) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", port.protocol().name());
        if (port.isNamed()) {
            m.put("port", port.name());
        } else if (port.port() != 0) {
            m.put("port", port.port());
            if (port.endPort() != 0) {
                m.put("endPort", port.endPort());
            }
        }
        return m;
    }

    private static Map<String, Object> selector(LabelSelector s) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!s.matchLabels().isEmpty()) {
            m.put("matchLabels", new LinkedHashMap<>(s.matchLabels()));
        }
        if (!s.matchExpressions().isEmpty()) {
            List<Object> expressions = new ArrayList<>();
            for (LabelRequirement r : s.matchExpressions()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("key", r.key());
                e.put("operator", r.operator().apiName());
                if (!r.values().isEmpty()) {
                    e.put("values", r.values());
                }
                expressions.add(e);
            }
            m.put("matchExpressions", expressions);
        }
        return m;
    }
}
