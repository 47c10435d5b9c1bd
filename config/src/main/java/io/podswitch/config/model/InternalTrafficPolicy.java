package io.podswitch.config.model;

/** Kubernetes internalTrafficPolicy: ClusterIP traffic goes to any backend, or only to this node's. */
public enum InternalTrafficPolicy {
    CLUSTER("Cluster"),
    LOCAL("Local");

    private final String configName;

    InternalTrafficPolicy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
