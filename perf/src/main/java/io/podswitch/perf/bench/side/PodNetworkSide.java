package io.podswitch.perf.bench.side;

/**
 * podswitch as a container runtime meets it on a node: podswitchd running as its own process and the
 * CNI plugin installed by {@code podswitch install-cni} (launcher, jar, AOT cache, conflist). The
 * runtime scenarios (podman-run, cni-churn) and the runtime tests drive it through real runtimes and
 * the plugin binary; they need root.
 */
public interface PodNetworkSide {

    /**
     * Starts a single-node podswitchd and installs the plugin for it.
     * @param families "IPv4", "IPv6" or "IPv4,IPv6" (primary first)
     */
    PodNetwork start(String families, int maxPods) throws Exception;
}
