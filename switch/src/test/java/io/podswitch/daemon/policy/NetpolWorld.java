package io.podswitch.daemon.policy;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.ContainerPort;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.PodInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream NetworkPolicy e2e suite's world (kubernetes test/e2e/network/netpol): namespaces x, y, z,
 * each with pods a, b, c labelled {@code pod=<name>}, serving ports 80 and 81 over TCP, UDP and SCTP with the
 * named ports {@code serve-80-tcp}, {@code serve-81-udp}, ... Namespaces carry {@code ns=<name>} besides the
 * API server's {@code kubernetes.io/metadata.name}. Labels can be changed per step (relabel tests); addresses
 * are given (synthetic ones in unit tests, the CNI's in the cluster test).
 */
public final class NetpolWorld {
    public static final List<String> NAMESPACES = List.of("x", "y", "z");
    public static final List<String> POD_NAMES = List.of("a", "b", "c");
    public static final List<Integer> PORTS = List.of(80, 81);

    private final Map<String, List<IpAddress>> addresses;

    /** @param addresses "x/a" → the pod's addresses (one per family of the cluster) */
    public NetpolWorld(Map<String, List<IpAddress>> addresses) {
        this.addresses = Map.copyOf(addresses);
    }

    /** Nine pods with synthetic dual-stack addresses (x/a = 10.244.1.1 and fd00:10:244:1::1, ...). */
    public static NetpolWorld synthetic() {
        Map<String, List<IpAddress>> a = new LinkedHashMap<>();
        int n = 1;
        for (String pod : allPods()) {
            int node = n % 2 + 1;
            a.put(pod, List.of(IpAddress.parse("10.244." + node + "." + n), IpAddress.parse("fd00:10:244:" + node + "::" + n)));
            n++;
        }
        return new NetpolWorld(a);
    }

    /** "x/a", "x/b", ... "z/c" — the order of every truth table. */
    public static List<String> allPods() {
        List<String> out = new ArrayList<>();
        for (String ns : NAMESPACES) {
            for (String p : POD_NAMES) {
                out.add(ns + "/" + p);
            }
        }
        return out;
    }

    public List<IpAddress> addresses(String pod) {
        return addresses.get(pod);
    }

    /** The pod's address of a family, or null. */
    public IpAddress address(String pod, io.podswitch.config.cidr.IpFamily family) {
        for (IpAddress a : addresses.get(pod)) {
            if (a.family() == family) {
                return a;
            }
        }
        return null;
    }

    public static Map<String, String> defaultPodLabels(String pod) {
        return Map.of("pod", pod.substring(pod.indexOf('/') + 1));
    }

    public static Map<String, String> defaultNamespaceLabels(String ns) {
        return Map.of("ns", ns);
    }

    public List<NamespaceInfo> namespaces(Map<String, Map<String, String>> labelOverrides) {
        List<NamespaceInfo> out = new ArrayList<>();
        for (String ns : NAMESPACES) {
            out.add(NamespaceInfo.of(ns, labelOverrides.getOrDefault(ns, defaultNamespaceLabels(ns))));
        }
        return out;
    }

    public List<PodInfo> pods(Map<String, Map<String, String>> labelOverrides) {
        List<PodInfo> out = new ArrayList<>();
        for (String pod : allPods()) {
            NamespacedName id = NamespacedName.parse(pod);
            out.add(new PodInfo(id, labelOverrides.getOrDefault(pod, defaultPodLabels(pod)), addresses.get(pod), "",
                    false, namedPorts()));
        }
        return out;
    }

    static List<ContainerPort> namedPorts() {
        List<ContainerPort> ports = new ArrayList<>();
        for (int port : PORTS) {
            for (Protocol p : Protocol.values()) {
                ports.add(new ContainerPort("serve-" + port + "-" + p.name().toLowerCase(java.util.Locale.ROOT), p, port));
            }
        }
        return ports;
    }
}
