package io.podswitch.config.model;

import io.podswitch.config.cidr.IpAddress;

/**
 * One endpoint of a service. {@code port} is 0 when the backend listens on each service port's
 * {@code targetPort}; otherwise (single-port services only) it overrides the target port.
 */
public record ServiceBackend(IpAddress address, int port, int weight, boolean ready, boolean terminating) {

    /** The port to send traffic for {@code servicePort} to. */
    public int targetPortFor(ServicePort servicePort) {
        return port != 0 ? port : servicePort.targetPort();
    }
}
