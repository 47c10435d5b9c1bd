package io.podswitch.perf.bench.side;

import io.podswitch.perf.topo.Topology;

import java.util.List;

/**
 * podswitch as the node's NetworkPolicy enforcer: builds a node (podswitchd in its own namespace) and wires a
 * client and a server pod to it as a runtime would (CNI, naming them through CNI_ARGS), policies from the
 * cluster file ({@code podswitch}) or the API server ({@code podswitch-kubernetes}). Used by the policy scenario;
 * registered through {@link java.util.ServiceLoader}, one per subject.
 */
public interface PolicySide {
    /** The report's subject name. */
    default String subject() {
        return "podswitch";
    }

    PolicyNode build(Topology topology, List<Integer> cores) throws Exception;
}
