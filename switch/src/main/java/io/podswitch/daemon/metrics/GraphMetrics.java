package io.podswitch.daemon.metrics;

import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.graph.L3Graph;
import io.podswitch.graph.NodeCounters;
import io.podswitch.service.ServiceConnTrack;
import io.podswitch.service.SessionAffinity;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;

/**
 * Each worker's graph: packets and vectors per node and every per-node reason (most are drops:
 * {@code ip4-input / bad_checksum}), and the worker's service connection tracking and ClientIP affinity
 * tables (occupancy and events). The values are what the graph published after its last vector.
 */
final class GraphMetrics implements MultiCollector {
    private final SwitchEngine engine;

    GraphMetrics(SwitchEngine engine) {
        this.engine = engine;
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        Family packets = f.counter("podswitch_graph_node_packets", "Packets that entered a graph node.", "worker", "node");
        Family vectors = f.counter("podswitch_graph_node_vectors", "Vectors (bursts) a graph node processed.",
                "worker", "node");
        Family events = f.counter("podswitch_graph_node_events",
                "Per-node events by reason: drops (bad_checksum, no_route, spoofed_source, ...) and notable paths.",
                "worker", "node", "reason");
        Family ctEntries = f.gauge("podswitch_conntrack_entries", "Service connection-tracking flows held.", "worker");
        Family ctCapacity = f.gauge("podswitch_conntrack_capacity", "Service connection-tracking flows the table holds at most.",
                "worker");
        Family ctEvents = f.counter("podswitch_conntrack_events", "Service connection-tracking events.", "worker", "event");
        Family affinityEntries = f.gauge("podswitch_affinity_entries", "ClientIP session-affinity entries held.", "worker");
        Family affinityEvents = f.counter("podswitch_affinity_events", "ClientIP session-affinity events.", "worker", "event");
        List<L3Graph> graphs = engine.graphs();
        for (int w = 0; w < graphs.size(); w++) {
            String worker = Integer.toString(w);
            L3Graph graph = graphs.get(w);
            for (NodeCounters node : graph.nodeCounters()) {
                packets.add(node.packets(), worker, node.node());
                vectors.add(node.vectors(), worker, node.node());
                for (int r = 0; r < node.reasonCount(); r++) {
                    events.add(node.get(r), worker, node.node(), node.reason(r));
                }
            }
            ServiceConnTrack track = graph.serviceConnTrack();
            if (track != null) {
                ctCapacity.add(track.capacity(), worker);
                track.visit((name, value) -> {
                    String event = name.substring(name.indexOf('.') + 1);
                    if (event.equals("entries")) {
                        ctEntries.add(value, worker);
                    } else {
                        ctEvents.add(value, worker, event);
                    }
                });
            }
            SessionAffinity affinity = graph.sessionAffinity();
            if (affinity != null) {
                affinity.visit((name, value) -> {
                    String event = name.substring(name.indexOf('.') + 1);
                    if (event.equals("entries")) {
                        affinityEntries.add(value, worker);
                    } else {
                        affinityEvents.add(value, worker, event);
                    }
                });
            }
        }
        return f.build();
    }
}
