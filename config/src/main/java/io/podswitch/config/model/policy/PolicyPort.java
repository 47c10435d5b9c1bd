package io.podswitch.config.model.policy;

import io.podswitch.config.model.Protocol;
import java.util.Objects;

/**
 * One {@code ports[]} entry of a NetworkPolicy rule ({@code NetworkPolicyPort}).
 *
 * @param protocol TCP (the API's default), UDP or SCTP
 * @param port     the first port, 0 for every port of the protocol (and then {@code endPort} and {@code name}
 *                 are unset)
 * @param endPort  the last port of a range {@code port..endPort}; 0 for just {@code port}
 * @param name     a named port ({@code port: "http"}), resolved per pod from its {@link ContainerPort}s; null
 *                 for a number
 */
public record PolicyPort(Protocol protocol, int port, int endPort, String name) {

    public PolicyPort {
        Objects.requireNonNull(protocol, "protocol");
        if (name != null) {
            if (name.isEmpty() || port != 0 || endPort != 0) {
                throw new IllegalArgumentException("a named port has no number and no endPort: " + name);
            }
        } else {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " outside 1..65535");
            }
            if (endPort != 0 && (port == 0 || endPort < port || endPort > 65535)) {
                throw new IllegalArgumentException("endPort " + endPort + " needs a port ≤ it (port " + port + ")");
            }
        }
    }

    /** Every port of a protocol. */
    public static PolicyPort all(Protocol protocol) {
        return new PolicyPort(protocol, 0, 0, null);
    }

    public static PolicyPort number(Protocol protocol, int port) {
        if (port == 0) {
            throw new IllegalArgumentException("port 0: use all(protocol)");
        }
        return new PolicyPort(protocol, port, 0, null);
    }

    public static PolicyPort range(Protocol protocol, int port, int endPort) {
        return new PolicyPort(protocol, port, endPort, null);
    }

    public static PolicyPort named(Protocol protocol, String name) {
        return new PolicyPort(protocol, 0, 0, name);
    }

    public boolean isNamed() {
        return name != null;
    }

    /** The last port covered (a number or a range; {@code 65535} for every port). */
    public int lastPort() {
        return port == 0 ? 65535 : endPort == 0 ? port : endPort;
    }

    /** The first port covered ({@code 0} for every port: a packet's port field can hold 0). */
    public int firstPort() {
        return port;
    }

    @Override
    public String toString() {
        String what = name != null ? name : port == 0 ? "*" : endPort == 0 ? Integer.toString(port) : port + "-" + endPort;
        return protocol + "/" + what;
    }
}
