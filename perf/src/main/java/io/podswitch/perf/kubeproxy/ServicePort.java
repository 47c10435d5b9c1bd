package io.podswitch.perf.kubeproxy;

import java.util.List;
import java.util.Objects;

/**
 * One port of a ClusterIP service and its ready endpoints, as kube-proxy sees it.
 *
 * @param namespace  Kubernetes namespace, e.g. {@code default}
 * @param name       service name
 * @param portName   the port's name ({@code http}); part of every chain name
 * @param protocol   {@code tcp} or {@code udp} (lower case, as kube-proxy hashes it)
 * @param clusterIp  the IPv4 ClusterIP
 * @param endpoints  ready endpoints as {@code ip:port}; empty = no endpoints (REJECT)
 */
public record ServicePort(String namespace, String name, String portName, String protocol, String clusterIp, int port,
                          List<String> endpoints) {

    public ServicePort {
        Objects.requireNonNull(namespace);
        Objects.requireNonNull(name);
        Objects.requireNonNull(portName);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("protocol must be tcp or udp, got '" + protocol + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        endpoints = List.copyOf(endpoints);
        for (String e : endpoints) {
            if (e.lastIndexOf(':') <= 0) {
                throw new IllegalArgumentException("endpoint must be ip:port, got '" + e + "'");
            }
        }
    }

    /** A TCP port in namespace {@code default}. */
    public static ServicePort tcp(String name, String portName, String clusterIp, int port, List<String> endpoints) {
        return new ServicePort("default", name, portName, "tcp", clusterIp, port, endpoints);
    }

    /** kube-proxy's {@code ServicePortName.String()}: {@code namespace/name:port}. */
    public String servicePortName() {
        return namespace + "/" + name + ":" + portName;
    }

    static String endpointIp(String endpoint) {
        return endpoint.substring(0, endpoint.lastIndexOf(':'));
    }

    static String endpointPort(String endpoint) {
        return endpoint.substring(endpoint.lastIndexOf(':') + 1);
    }
}
