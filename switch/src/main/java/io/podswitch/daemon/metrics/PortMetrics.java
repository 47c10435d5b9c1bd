package io.podswitch.daemon.metrics;

import io.podswitch.daemon.engine.PortCounterSet;
import io.podswitch.daemon.engine.PortIdentity;
import io.podswitch.daemon.stats.DaemonCounters;
import io.podswitch.stats.CounterSource;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * Every port's traffic and drops — pods' TAPs, the host port, the uplink — labelled
 * {@code kind} ({@code pod|host|uplink}), {@code port} (the interface name; a pod's is its
 * {@code CNI_IFNAME}), {@code container_id}, {@code pod_namespace} and {@code pod_name} (pods only; the
 * names from CNI ADD's {@code K8S_POD_NAMESPACE}/{@code K8S_POD_NAME}, empty when the runtime gave none).
 * Driver-specific counters (AF_XDP's kernel
 * {@code xsk.*} drops, the UDP uplink's {@code udp.*}, TAP offloads) keep their own {@code event} name.
 */
final class PortMetrics implements MultiCollector {
    private static final String[] LABELS = {"kind", "port", "container_id", "pod_namespace", "pod_name"};
    private final DaemonCounters counters;

    PortMetrics(DaemonCounters counters) {
        this.counters = counters;
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        Family rxPackets = f.counter("podswitch_port_receive_packets", "Packets received from the port.", LABELS);
        Family rxBytes = f.counter("podswitch_port_receive_bytes", "Bytes received from the port.", LABELS);
        Family txPackets = f.counter("podswitch_port_transmit_packets", "Packets sent to the port.", LABELS);
        Family txBytes = f.counter("podswitch_port_transmit_bytes", "Bytes sent to the port.", LABELS);
        Family drops = f.counter("podswitch_port_drops", "Packets the port dropped, by reason.",
                "kind", "port", "container_id", "pod_namespace", "pod_name", "reason");
        Family offload = f.counter("podswitch_port_offload_events",
                "TAP offload events: rx_large/tx_large super-frames, tx_coalesced segments, rx_partial_csum.",
                "kind", "port", "container_id", "pod_namespace", "pod_name", "event");
        Family driver = f.counter("podswitch_port_driver_events",
                "Port-driver counters: AF_XDP kernel drops (xsk.*), transmit kick errors, UDP uplink details (udp.*).",
                "kind", "port", "container_id", "pod_namespace", "pod_name", "event");
        for (CounterSource source : counters.sources()) {
            if (!(source instanceof PortCounterSet port)) {
                continue;
            }
            PortIdentity id = port.identity();
            String kind = id.kind().label();
            String name = id.name();
            String container = id.containerId();
            String namespace = id.podNamespace();
            String pod = id.podName();
            String prefix = port.prefix();
            port.visit((counter, value) -> {
                String c = counter.startsWith(prefix) ? counter.substring(prefix.length()) : counter;
                switch (c) {
                    case "rx_packets" -> rxPackets.add(value, kind, name, container, namespace, pod);
                    case "rx_bytes" -> rxBytes.add(value, kind, name, container, namespace, pod);
                    case "tx_packets" -> txPackets.add(value, kind, name, container, namespace, pod);
                    case "tx_bytes" -> txBytes.add(value, kind, name, container, namespace, pod);
                    default -> {
                        if (c.startsWith("drop.")) {
                            drops.add(value, kind, name, container, namespace, pod, c.substring("drop.".length()));
                        } else if (c.startsWith("offload.")) {
                            offload.add(value, kind, name, container, namespace, pod, c.substring("offload.".length()));
                        } else {
                            driver.add(value, kind, name, container, namespace, pod, c);
                        }
                    }
                }
            });
        }
        return f.build();
    }
}
