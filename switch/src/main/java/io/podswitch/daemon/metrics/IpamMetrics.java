package io.podswitch.daemon.metrics;

import io.podswitch.daemon.ipam.IpAddresses;
import io.podswitch.daemon.ipam.IpRange;
import io.podswitch.daemon.pod.PodManager;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.math.BigInteger;

/**
 * IPAM usage per pool (this node's pod CIDR of each family): addresses allocated (pods plus the host
 * port's own) and the pool's size, labelled {@code pool} (the CIDR) and {@code family}; and the pods
 * attached. {@code podswitch_ipam_allocated / podswitch_ipam_size} is how full the node is.
 */
final class IpamMetrics implements MultiCollector {
    private final PodManager pods;

    IpamMetrics(PodManager pods) {
        this.pods = pods;
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        Family allocated = f.gauge("podswitch_ipam_allocated", "Addresses allocated in the pool.", "pool", "family");
        Family size = f.gauge("podswitch_ipam_size", "Usable addresses in the pool (capped at 2^53 for IPv6).",
                "pool", "family");
        Family attached = f.gauge("podswitch_pods", "Pod attachments wired to this switch.");
        for (IpRange range : pods.ranges()) {
            String pool = IpAddresses.format(range.networkAddress()) + "/" + range.prefixLength();
            String family = range.isIpv4() ? "IPv4" : "IPv6";
            allocated.add(pods.allocatedIn(range), pool, family);
            size.add(range.size().min(BigInteger.ONE.shiftLeft(53)).doubleValue(), pool, family);
        }
        attached.add(pods.pods().size());
        return f.build();
    }
}
