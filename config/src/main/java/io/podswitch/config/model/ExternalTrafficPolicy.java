package io.podswitch.config.model;

/** Kubernetes externalTrafficPolicy: NodePort traffic goes to any backend, or only to this node's. */
public enum ExternalTrafficPolicy {
    CLUSTER("Cluster"),
    LOCAL("Local");

    private final String configName;

    ExternalTrafficPolicy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
