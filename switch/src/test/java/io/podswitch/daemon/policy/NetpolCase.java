package io.podswitch.daemon.policy;

import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.NetworkPolicy;
import java.util.List;
import java.util.Map;

/**
 * One case of the truth-table suite: a sequence of steps, each a complete desired state (policies, pod and
 * namespace label overrides) and the truth tables expected for some probes. A multi-step case updates,
 * deletes or relabels between its steps.
 */
public record NetpolCase(String name, List<Step> steps) {

    public NetpolCase {
        steps = List.copyOf(steps);
    }

    /** A connection attempt to {@code port} over {@code protocol}. */
    public record Probe(Protocol protocol, int port) {
        @Override
        public String toString() {
            return protocol + "/" + port;
        }
    }

    public record Check(Probe probe, Reachability expected) {
    }

    /**
     * @param podLabels       "x/a" → labels replacing the pod's default {@code pod=a}
     * @param namespaceLabels "y" → labels replacing the namespace's default {@code ns=y}
     */
    public record Step(String description, List<NetworkPolicy> policies, Map<String, Map<String, String>> podLabels,
                       Map<String, Map<String, String>> namespaceLabels, List<Check> checks) {
        public Step {
            policies = List.copyOf(policies);
            podLabels = Map.copyOf(podLabels);
            namespaceLabels = Map.copyOf(namespaceLabels);
            checks = List.copyOf(checks);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
