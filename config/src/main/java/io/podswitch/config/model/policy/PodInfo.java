package io.podswitch.config.model.policy;

import io.podswitch.config.cidr.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A pod as NetworkPolicy needs it, on any node of the cluster: who it is (namespace, labels), where it is
 * (its addresses, its node) and its named ports. The Kubernetes source leaves out pods in phase
 * {@code Succeeded}/{@code Failed} (their addresses may already belong to a new pod).
 *
 * @param ips         {@code status.podIPs}, either order (one per family); may be empty in the cluster file,
 *                    where a pod wired on this node gets the addresses its CNI ADD was given
 * @param nodeName    {@code spec.nodeName}; empty when unknown (the cluster file)
 * @param hostNetwork {@code spec.hostNetwork}: such a pod has the node's addresses, is never selected by a
 *                    policy and is not a pod peer (its traffic is the node's)
 * @param ports       the named container ports (unnamed ones may be left out)
 */
public record PodInfo(NamespacedName id, Map<String, String> labels, List<IpAddress> ips, String nodeName,
                         boolean hostNetwork, List<ContainerPort> ports) {

    public PodInfo {
        Objects.requireNonNull(id, "id");
        labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
        ips = List.copyOf(ips);
        nodeName = nodeName == null ? "" : nodeName;
        ports = List.copyOf(ports);
    }

    public String namespace() {
        return id.namespace();
    }
}
