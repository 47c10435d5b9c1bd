package io.podswitch.daemon.desired;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.SessionAffinity;
import java.util.List;

/**
 * A service as the data path must serve it, whatever its source.
 *
 * @param clusterIps        one per family, primary first ({@code spec.clusterIPs}, ordered by {@code ipFamilies})
 * @param externalIps       {@code spec.externalIPs}: served like the ClusterIP but reached from outside the
 *                          cluster, so {@code externalTrafficLocal} applies to them
 * @param loadBalancerIps   {@code status.loadBalancer.ingress[].ip}: as externalIps
 * @param sessionAffinityTimeoutSeconds meaningful with {@link SessionAffinity#CLIENT_IP} (Kubernetes' default 10800)
 * @param externalTrafficLocal  {@code externalTrafficPolicy: Local}: NodePort, externalIPs and load-balancer
 *                              traffic goes only to endpoints on this node (none here: dropped)
 * @param internalTrafficLocal  {@code internalTrafficPolicy: Local}: ClusterIP traffic from pods goes only
 *                              to endpoints on this node (none here: dropped)
 */
public record DesiredService(ServiceId id, List<IpAddress> clusterIps, List<IpAddress> externalIps,
                             List<IpAddress> loadBalancerIps, List<DesiredServicePort> ports,
                             SessionAffinity sessionAffinity, int sessionAffinityTimeoutSeconds,
                             boolean externalTrafficLocal, boolean internalTrafficLocal) {

    public DesiredService {
        clusterIps = List.copyOf(clusterIps);
        externalIps = List.copyOf(externalIps);
        loadBalancerIps = List.copyOf(loadBalancerIps);
        ports = List.copyOf(ports);
    }
}
