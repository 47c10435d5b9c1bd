package io.podswitch.config.model;

/** One port of a service; {@code nodePort} is 0 when the port is not exposed on the nodes. */
public record ServicePort(String name, Protocol protocol, int port, int targetPort, int nodePort) {

    public boolean hasNodePort() {
        return nodePort != 0;
    }
}
