package io.podswitch.daemon.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.ArrayList;
import java.util.List;

/** Kubernetes objects as tests create them on the test API server. */
final class ApiObjects {
    private ApiObjects() {
    }

    /**
     * A Node with {@code spec.podCIDRs} and {@code InternalIP} addresses (null or empty lists: left out), as
     * kubelet and kube-controller-manager fill them in.
     */
    static Node node(String name, List<String> podCidrs, List<String> internalIps) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
        b.withNewSpec().withPodCIDRs(podCidrs == null ? List.of() : new ArrayList<>(podCidrs))
                .withPodCIDR(podCidrs == null || podCidrs.isEmpty() ? null : podCidrs.getFirst()).endSpec();
        b.withNewStatus().addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus();
        Node node = b.build();
        if (internalIps != null) {
            for (String ip : internalIps) {
                node.getStatus().getAddresses().add(new io.fabric8.kubernetes.api.model.NodeAddress(ip, "InternalIP"));
            }
        }
        return node;
    }

    /** Node i of the test plan: pod CIDRs 10.244.i.0/24 + fd00:10:244:i::/64, addresses 192.168.1.i + fd00:192:168:1::i. */
    static Node node(String name, int i) {
        return node(name, List.of("10.244." + i + ".0/24", "fd00:10:244:" + Integer.toHexString(i) + "::/64"),
                List.of("192.168.1." + i, "fd00:192:168:1::" + Integer.toHexString(i)));
    }
}
