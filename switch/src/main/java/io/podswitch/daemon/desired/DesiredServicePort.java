package io.podswitch.daemon.desired;

import io.podswitch.config.model.Protocol;
import java.util.List;

/**
 * One port of a service with the endpoints that serve it (each endpoint with the target port it listens
 * on for this port; endpoints of several EndpointSlices already merged and de-duplicated).
 *
 * @param name       the port's name ("" when the service has a single unnamed port)
 * @param targetPort the port's numeric {@code targetPort}, 0 when it is named (then only the endpoints know
 *                   their port). Only {@code podswitch services add-backend} without {@code --port} reads it:
 *                   the data path uses each endpoint's own port.
 * @param nodePort   0 when the port is not exposed on the nodes
 */
public record DesiredServicePort(String name, Protocol protocol, int port, int targetPort, int nodePort,
                                 List<DesiredEndpoint> endpoints) {

    public DesiredServicePort {
        endpoints = List.copyOf(endpoints);
    }

    /** A port whose targetPort is named or unknown. */
    public DesiredServicePort(String name, Protocol protocol, int port, int nodePort, List<DesiredEndpoint> endpoints) {
        this(name, protocol, port, 0, nodePort, endpoints);
    }
}
