package io.podswitch.config.model;

/** Kubernetes service session affinity: none, or stick a client IP to one backend for a timeout. */
public enum SessionAffinity {
    NONE("None"),
    CLIENT_IP("ClientIP");

    private final String configName;

    SessionAffinity(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
