package io.podswitch.daemon.engine;

import java.util.Objects;

/**
 * Which port a set of counters belongs to, as labels rather than a name glued into a string: the kind
 * of port, its interface name, and for a pod the container it serves. The stats file still names
 * counters by {@link #statsPrefix()} ({@code port.pod.CONTAINER.IFNAME.rx_packets}, as before).
 *
 * @param containerId the pod's container id; empty for the host port and the uplink
 * @param pod         the Kubernetes pod as {@code namespace/name} (CNI ADD's {@code K8S_POD_NAMESPACE} and
 *                    {@code K8S_POD_NAME}); empty when the runtime did not say, and for the host port and uplink
 */
public record PortIdentity(Kind kind, String name, String containerId, String pod) {
    /** The role of a port in the node. */
    public enum Kind {
        /** A pod's TAP. */
        POD,
        /** The node's own TAP into the switch ({@code podswitch0}). */
        HOST,
        /** The NIC towards other nodes (AF_XDP or kernel UDP sockets). */
        UPLINK;

        /** The {@code kind} label value: {@code pod}, {@code host}, {@code uplink}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public PortIdentity {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        containerId = containerId == null ? "" : containerId;
        pod = pod == null ? "" : pod;
    }

    public PortIdentity(Kind kind, String name, String containerId) {
        this(kind, name, containerId, "");
    }

    public static PortIdentity pod(String containerId, String ifName) {
        return new PortIdentity(Kind.POD, ifName, containerId);
    }

    /** @param pod {@code namespace/name}, or "" when the runtime did not name the pod */
    public static PortIdentity pod(String containerId, String ifName, String pod) {
        return new PortIdentity(Kind.POD, ifName, containerId, pod);
    }

    /** The {@code pod_namespace} label: the part of {@link #pod} before the slash, or "". */
    public String podNamespace() {
        int slash = pod.indexOf('/');
        return slash < 0 ? "" : pod.substring(0, slash);
    }

    /** The {@code pod_name} label: the part of {@link #pod} after the slash, or "". */
    public String podName() {
        int slash = pod.indexOf('/');
        return slash < 0 ? "" : pod.substring(slash + 1);
    }

    public static PortIdentity host(String name) {
        return new PortIdentity(Kind.HOST, name, "");
    }

    public static PortIdentity uplink(String name) {
        return new PortIdentity(Kind.UPLINK, name, "");
    }

    /** How the stats file names this port's counters: {@code port.pod.C.IF.}, {@code port.host.NAME.}, ... */
    public String statsPrefix() {
        return switch (kind) {
            case POD -> "port.pod." + containerId + "." + name + ".";
            case HOST -> "port.host." + name + ".";
            case UPLINK -> "port.uplink." + name + ".";
        };
    }
}
