package io.podswitch.config.load;

import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;

/**
 * The {@code networkPolicy:} section as read: each item already checked on its own (see
 * {@link NetworkPolicyReader}), with its position for the rules that look across items.
 */
public record NetworkPolicySpec(SourcePosition position, LocatedList<NamespaceInfo> namespaces, LocatedList<PodInfo> pods,
                                LocatedList<NetworkPolicy> policies) {

    static NetworkPolicySpec absent(SourcePosition parent) {
        return new NetworkPolicySpec(parent, LocatedList.absent(parent, "networkPolicy.namespaces"),
                LocatedList.absent(parent, "networkPolicy.pods"), LocatedList.absent(parent, "networkPolicy.policies"));
    }
}
