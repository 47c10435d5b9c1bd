package io.podswitch.daemon.pod;

import io.podswitch.api.Attachment;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.ipam.IpAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the daemon remembers about one wired pod attachment, durably (see {@link PodStore}): enough
 * to re-attach its TAP after a restart and to tear it down later.
 *
 * @param network     the CNI network name the attachment belongs to (GC is per network)
 * @param netns       the pod's network namespace path
 * @param mac         the pod interface's MAC (low 48 bits)
 * @param mtu         the pod interface's MTU
 * @param addresses   the pod's addresses, primary family first (prefix = the node's pod CIDR's)
 * @param createdAt   ISO-8601 instant of the ADD
 * @param pod         the Kubernetes pod as {@code namespace/name} (CNI_ARGS K8S_POD_NAMESPACE and K8S_POD_NAME),
 *                    "" when the runtime did not say: NetworkPolicy knows a local pod by it
 */
public record PodRecord(String network, Attachment attachment, String netns, long mac, int mtu,
                        List<InetAddress> addresses, String createdAt, String pod) {
    public PodRecord {
        addresses = List.copyOf(addresses);
        pod = pod == null ? "" : pod;
    }

    /** {@code namespace/name} from CNI_ARGS when the runtime gave both, else "". */
    public static String podOf(java.util.Map<String, String> cniArgs) {
        String namespace = cniArgs.getOrDefault("K8S_POD_NAMESPACE", "");
        String name = cniArgs.getOrDefault("K8S_POD_NAME", "");
        return namespace.isEmpty() || name.isEmpty() || namespace.contains("/") || name.contains("/") ? ""
                : namespace + "/" + name;
    }

    /** The TAP's name inside the pod: the CNI interface name. */
    public String portName() {
        return attachment.ifName();
    }
}
