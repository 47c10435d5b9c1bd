package io.podswitch.config.model;

/**
 * Where the cluster's nodes (and services) come from. The file always holds what the API does not: the
 * cluster CIDRs, the families, the overlay and the uplink settings.
 */
public enum ClusterSource {
    /** Every node (and static service) is listed in the file; reloaded on SIGHUP / file change. */
    FILE("file"),
    /**
     * Nodes, Services and EndpointSlices come from the Kubernetes API server (informers); the file's
     * {@code nodes:} may only carry per-node uplink overrides and it has no {@code services:}.
     */
    KUBERNETES("kubernetes");

    private final String configName;

    ClusterSource(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
