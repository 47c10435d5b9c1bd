package io.podswitch.daemon.metrics;

import io.podswitch.service.ServiceCounters;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * Per service key (a ClusterIP or node port of one port of one service, per family), summed over the
 * workers: packets, new connections, and packets that found no backend (answered by RST / ICMP
 * unreachable). Labels {@code service}, {@code port} (the service port's name or number),
 * {@code family} ({@code IPv4|IPv6}), {@code kind} ({@code cluster_ip|node_port}).
 */
final class ServiceMetrics implements MultiCollector {
    private static final String[] LABELS = {"service", "port", "family", "kind"};
    private static final String NODE_PORT_SUFFIX = ":nodeport";
    private final ServiceTable table;

    ServiceMetrics(ServiceTable table) {
        this.table = table;
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        Family packets = f.counter("podswitch_service_packets", "Packets that matched the service key.", LABELS);
        Family connections = f.counter("podswitch_service_new_connections", "Connections the service key balanced.",
                LABELS);
        Family noBackend = f.counter("podswitch_service_no_backend",
                "Packets for the service key that found no ready backend.", LABELS);
        ServiceCounters counters = table.counters();
        for (int id = 0; id < table.capacity(); id++) {
            ServiceEntry e = table.get(id);
            if (e == null) {
                continue;
            }
            String[] labels = labels(e);
            packets.add(counters.get(id, ServiceCounters.PACKETS), labels);
            connections.add(counters.get(id, ServiceCounters.NEW_CONNECTIONS), labels);
            noBackend.add(counters.get(id, ServiceCounters.NO_BACKEND), labels);
        }
        return f.build();
    }

    /**
     * The entry's name is {@code SERVICE:PORT:FAMILY}, with {@code :nodeport} for a node-port key; read
     * from the right, so a service name may itself hold colons.
     */
    static String[] labels(ServiceEntry e) {
        String name = e.name();
        if (name.endsWith(NODE_PORT_SUFFIX)) {
            name = name.substring(0, name.length() - NODE_PORT_SUFFIX.length());
        }
        String kind = e.kind() == ServiceKind.NODE_PORT ? "node_port" : "cluster_ip";
        int familyAt = name.lastIndexOf(':');
        int portAt = familyAt <= 0 ? -1 : name.lastIndexOf(':', familyAt - 1);
        if (portAt <= 0) {
            return new String[] {name, "", "", kind};
        }
        return new String[] {name.substring(0, portAt), name.substring(portAt + 1, familyAt),
            name.substring(familyAt + 1), kind};
    }
}
