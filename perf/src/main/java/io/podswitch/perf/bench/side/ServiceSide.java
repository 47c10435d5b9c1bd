package io.podswitch.perf.bench.side;

import io.podswitch.perf.topo.Topology;

import java.util.List;

/**
 * podswitch as the node's service load balancer: builds a node (podswitchd in its own namespace),
 * wires a client pod and {@code backends} backend pods to it as a runtime would (CNI), and
 * configures {@code services} so that traffic from the pods to the ClusterIPs is load-balanced by
 * podswitch's data path. Used by the service scenario.
 */
public interface ServiceSide {

    /**
     * @param topology where the node and pod namespaces are created (the caller closes it)
     * @param cores    CPUs podswitch's workers may use
     * @throws SideUnavailableException when this build cannot serve services (e.g. no service support)
     */
    ServiceNode build(Topology topology, int backends, List<ServiceSpec> services, List<Integer> cores) throws Exception;
}
