package io.podswitch.perf.bench.side;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * A node that serves the scenario's ClusterIP services: one client pod and the backend pods, each a
 * network namespace with one address, plus whatever implements the services (kernel rules, or
 * podswitchd). {@link #close} stops what the side started; the namespaces belong to the caller's
 * topology.
 *
 * @param implementation a line for the report: what programs the services ({@code iptables-nft
 *                       1.8.9}, {@code podswitchd, 1 worker})
 * @param cpuNanos       CPU time used so far by the process that forwards (podswitchd), or -1 when no
 *                       process does (the kernel's rules run in the senders' and softirq context)
 */
public record ServiceNode(String clientNs, String clientIp, List<String> backendNs, List<String> backendIps,
                          String implementation, AutoCloseable stop, LongSupplier cpuNanos) implements AutoCloseable {

    /** A node whose services no process of its own implements (the kernel's). */
    public ServiceNode(String clientNs, String clientIp, List<String> backendNs, List<String> backendIps,
                       String implementation, AutoCloseable stop) {
        this(clientNs, clientIp, backendNs, backendIps, implementation, stop, () -> -1);
    }

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
