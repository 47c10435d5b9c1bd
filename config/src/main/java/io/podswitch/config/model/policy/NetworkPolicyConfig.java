package io.podswitch.config.model.policy;

import java.util.List;

/**
 * The cluster file's {@code networkPolicy:} section: what the Kubernetes API would otherwise tell podswitch
 * about NetworkPolicy — namespaces with their labels, pods with their labels (and, for pods on other nodes,
 * their addresses) and the policies. See docs/network-policy.md.
 */
public record NetworkPolicyConfig(List<NamespaceInfo> namespaces, List<PodInfo> pods, List<NetworkPolicy> policies) {

    public static final NetworkPolicyConfig NONE = new NetworkPolicyConfig(List.of(), List.of(), List.of());

    public NetworkPolicyConfig {
        namespaces = List.copyOf(namespaces);
        pods = List.copyOf(pods);
        policies = List.copyOf(policies);
    }

    public boolean isEmpty() {
        return namespaces.isEmpty() && pods.isEmpty() && policies.isEmpty();
    }
}
