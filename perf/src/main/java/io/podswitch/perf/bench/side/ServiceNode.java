package io.podswitch.perf.bench.side;

import java.util.List;

/**
 * A node that serves the scenario's ClusterIP services: one client pod and the backend pods, each a
 * network namespace with one address, plus whatever implements the services (kernel rules, or
 * podswitchd). {@link #close} stops what the side started; the namespaces belong to the caller's
 * topology.
 *
 * @param implementation a line for the report: what programs the services ({@code iptables-nft
 *                       1.8.9}, {@code podswitchd, 1 worker})
 */
public record ServiceNode(String clientNs, String clientIp, List<String> backendNs, List<String> backendIps,
                          String implementation, AutoCloseable stop) implements AutoCloseable {

    public ServiceNode {
        backendNs = List.copyOf(backendNs);
        backendIps = List.copyOf(backendIps);
        if (backendNs.size() != backendIps.size()) {
            throw new IllegalArgumentException("one address per backend pod");
        }
    }

    @Override
    public void close() throws Exception {
        stop.close();
    }
}
