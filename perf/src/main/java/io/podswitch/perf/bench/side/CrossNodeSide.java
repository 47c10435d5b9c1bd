package io.podswitch.perf.bench.side;

import io.podswitch.perf.topo.CrossNodePath;
import io.podswitch.perf.topo.CrossNodeUnderlay;
import io.podswitch.perf.topo.Topology;

import java.util.Optional;
import java.util.ServiceLoader;

/**
 * podswitch between nodes: on the nodes of a {@link CrossNodeUnderlay}, run podswitchd per node and
 * wire one pod on node 1 and one on node 2, so that traffic between them crosses the uplink in the
 * given mode. Throws {@link SideUnavailableException} when this build cannot (e.g. the daemon carries
 * no traffic between nodes yet).
 */
public interface CrossNodeSide {

    /** The wired pods; {@link #close} stops what the side started (the namespaces belong to the topology). */
    interface Wiring extends AutoCloseable {
        CrossNodePath path();

        /** CPU time the podswitch processes used so far (all nodes), for CPU per packet/byte. */
        long cpuNanos();

        /** CPU time node {@code node}'s podswitch process used so far (1: the client pod's node, 2: the server's). */
        long cpuNanos(int node);

        @Override
        void close();
    }

    /**
     * @param mode   {@code vxlan}, {@code geneve} or {@code direct}
     * @param attach {@code af_xdp}, {@code udp}, {@code tap} or {@code auto}, or null for the daemon's default
     */
    Wiring connect(Topology topology, CrossNodeUnderlay underlay, String mode, String attach) throws Exception;

    /** The side registered in {@code META-INF/services/io.podswitch.perf.bench.side.CrossNodeSide}, if any. */
    static Optional<CrossNodeSide> load() {
        return ServiceLoader.load(CrossNodeSide.class).findFirst();
    }
}
