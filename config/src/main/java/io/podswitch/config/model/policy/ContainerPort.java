package io.podswitch.config.model.policy;

import io.podswitch.config.model.Protocol;
import java.util.Objects;

/**
 * One port a pod's containers declare ({@code containers[].ports[]}). Only named ones matter to
 * NetworkPolicy: a rule's {@code port: "http"} means, for each pod it is checked against, the port that pod
 * calls {@code http} with the rule's protocol.
 */
public record ContainerPort(String name, Protocol protocol, int port) {

    public ContainerPort {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("container port " + port + " outside 1..65535");
        }
    }
}
