package io.podswitch.perf.bench.side;

import java.util.List;

/**
 * A ClusterIP service of the service scenario, independent of who implements it.
 *
 * @param name       service name ({@code web}); its port is named {@code http}... by {@link #portName}
 * @param clusterIp  IPv4 ClusterIP inside the node's service CIDR
 * @param port       service port on the ClusterIP
 * @param targetPort the backends' port
 * @param backends   indices into the node's backend pods; empty = a service without endpoints
 */
public record ServiceSpec(String name, String portName, String clusterIp, int port, int targetPort, List<Integer> backends) {

    public ServiceSpec {
        backends = List.copyOf(backends);
        if (port < 1 || port > 65535 || targetPort < 1 || targetPort > 65535) {
            throw new IllegalArgumentException("ports must be 1..65535: " + port + " → " + targetPort);
        }
    }
}
