package io.podswitch.daemon.reload;

import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.ExternalTrafficPolicy;
import io.podswitch.config.model.InternalTrafficPolicy;
import io.podswitch.config.model.ServiceBackend;
import io.podswitch.config.model.ServiceConfig;
import io.podswitch.config.model.ServicePort;
import io.podswitch.daemon.desired.DesiredEndpoint;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.DesiredServicePort;
import io.podswitch.daemon.desired.ServiceId;
import io.podswitch.daemon.services.ServiceManager;

import java.util.ArrayList;
import java.util.List;

/**
 * The cluster file's services as desired state ({@code source: file}): each {@code services[]} entry becomes
 * a {@link DesiredService} named by its bare name, its backends an endpoint of every port (backend port 0 =
 * the port's targetPort). The file's {@code ready} is the serving condition: a ready, terminating backend
 * is serving-and-terminating (used only when no other is ready), a ready one that is not terminating is
 * ready. Weights above 256 (Maglev's maximum) are capped. Endpoints carry no node name, so locality follows
 * this node's pod CIDRs. {@code externalIPs} and both traffic policies are taken as written; the file has no
 * load-balancer status.
 */
public final class FileServices {
    private FileServices() {
    }

    /** Makes {@code services} hold exactly the file's services (this node's locality first). */
    public static ServiceManager.Change apply(ServiceManager services, ClusterConfig config) {
        services.setLocality(config.thisNodeName(), config.thisNode().podCidrs());
        return services.replaceAll(translate(config));
    }

    public static List<DesiredService> translate(ClusterConfig config) {
        List<DesiredService> out = new ArrayList<>();
        for (ServiceConfig s : config.services()) {
            out.add(translate(s));
        }
        return out;
    }

    static DesiredService translate(ServiceConfig s) {
        List<DesiredServicePort> ports = new ArrayList<>();
        for (ServicePort p : s.ports()) {
            List<DesiredEndpoint> endpoints = new ArrayList<>();
            for (ServiceBackend b : s.backends()) {
                endpoints.add(new DesiredEndpoint(b.address(), b.targetPortFor(p),
                        Math.min(ServiceManager.MAX_WEIGHT, b.weight()), b.ready() && !b.terminating(), b.ready(),
                        b.terminating(), null));
            }
            ports.add(new DesiredServicePort(p.name() == null ? "" : p.name(), p.protocol(), p.port(), p.targetPort(),
                    p.nodePort(), endpoints));
        }
        return new DesiredService(ServiceId.ofFile(s.name()), s.vips(), s.externalIps(), List.of(), ports,
                s.sessionAffinity(), s.sessionAffinityTimeoutSeconds(),
                s.externalTrafficPolicy() == ExternalTrafficPolicy.LOCAL,
                s.internalTrafficPolicy() == InternalTrafficPolicy.LOCAL);
    }
}
