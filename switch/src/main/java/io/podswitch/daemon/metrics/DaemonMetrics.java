package io.podswitch.daemon.metrics;

import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.health.Health;
import io.podswitch.daemon.peers.PeerManager;
import io.podswitch.daemon.pod.PodManager;
import io.podswitch.daemon.stats.DaemonCounters;
import io.podswitch.service.ServiceTable;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The daemon's Prometheus metrics: a registry of collectors, each turning one part of the daemon's
 * counters into labelled families (docs/metrics.md lists them all). A scrape runs every collector on the
 * <b>control thread</b> — where the registries of ports, peers, pods and IPAM live — and reads only what
 * the workers already publish for the stats file: the data path is never touched, stopped or slowed.
 *
 * <p>Parts of the daemon add their own families with {@link #register}: the collector's
 * {@code collect()} runs on the control thread during a scrape, must be quick, and must follow the
 * naming scheme of docs/metrics.md ({@code podswitch_<area>_<what>[_unit]}, labels not glued names).
 */
public final class DaemonMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    /** The collector of a gauge {@code podswitch_info} = 1 with what identifies this daemon. */
    private record Info(String node, String transport) implements MultiCollector {
        @Override
        public MetricSnapshots collect() {
            Families f = new Families();
            f.gauge("podswitch_info", "Always 1; labels identify the daemon.", "node", "http_transport", "java")
                    .add(1, node, transport, Runtime.version().toString());
            return f.build();
        }
    }

    public DaemonMetrics(String node, String httpTransport, SwitchEngine engine, DaemonCounters counters,
                         PodManager pods, PeerManager peers, Health health) {
        this(node, httpTransport, engine, engine.serviceTable(), counters, pods, peers, health);
    }

    /**
     * @param services the service table to report (the engine's; a benchmark passes a larger one)
     * @param pods     IPAM and pods, or null to leave those families out (benchmarks)
     */
    public DaemonMetrics(String node, String httpTransport, SwitchEngine engine, ServiceTable services,
                         DaemonCounters counters, PodManager pods, PeerManager peers, Health health) {
        registry.register(new Info(node, httpTransport));
        registry.register(new WorkerMetrics(engine));
        registry.register(new GraphMetrics(engine));
        registry.register(new PortMetrics(counters));
        registry.register(new ServiceMetrics(services));
        registry.register(new OverlayMetrics(engine, peers));
        if (pods != null) {
            registry.register(new IpamMetrics(pods));
        }
        registry.register(new HealthMetrics(health));
    }

    /** For a part of the daemon with families of its own (policy, the Kubernetes source, the uplink). */
    public void register(MultiCollector collector) {
        registry.register(collector);
    }

    public void unregister(MultiCollector collector) {
        registry.unregister(collector);
    }

    /** Collects every family. Control thread only. */
    public MetricSnapshots scrape() {
        return registry.scrape();
    }
}
