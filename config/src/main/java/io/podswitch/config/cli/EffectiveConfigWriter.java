package io.podswitch.config.cli;

import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.config.model.OverlayConfig;
import io.podswitch.config.model.ServiceBackend;
import io.podswitch.config.model.ServiceConfig;
import io.podswitch.config.model.ServicePort;
import io.podswitch.config.model.UplinkConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Writes a {@link ClusterConfig} back as YAML in the input schema, with every default and every allocated
 * node pod CIDR spelled out. The output loads again to the same configuration.
 */
public final class EffectiveConfigWriter {

    private EffectiveConfigWriter() {
    }

    public static String toYaml(ClusterConfig config) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (config.fromKubernetes()) {
            root.put("source", config.source().configName()); // file is the default: files without it print as before
            Map<String, Object> kubernetes = new LinkedHashMap<>();
            config.kubernetes().kubeconfig().ifPresent(k -> kubernetes.put("kubeconfig", k));
            root.put("kubernetes", kubernetes);
        }
        root.put("ipFamilies", config.ipFamilies().stream().map(IpFamily::displayName).toList());
        root.put("podCIDRs", strings(config.podCidrs()));
        root.put("serviceCIDRs", strings(config.serviceCidrs()));
        root.put("nodeCIDRs", strings(config.nodeCidrs()));
        Map<String, Object> masks = new LinkedHashMap<>();
        for (IpFamily family : config.ipFamilies()) {
            masks.put(family.displayName(), config.nodeCidrMaskSize(family));
        }
        root.put("nodeCIDRMaskSizes", masks);
        root.put("node", config.thisNodeName());
        root.put("overlay", overlay(config.overlay()));
        if (config.fromKubernetes() || !config.uplink().equals(UplinkConfig.DEFAULT)) {
            root.put("uplink", uplink(config.uplink()));
        }
        List<Object> nodes = new ArrayList<>();
        if (config.fromKubernetes()) {
            // Only the per-node uplink overrides: addresses and pod CIDRs come from the Node objects.
            for (Map.Entry<String, UplinkConfig> e : new TreeMap<>(config.uplinkOverrides()).entrySet()) {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("name", e.getKey());
                n.put("uplink", uplink(e.getValue()));
                nodes.add(n);
            }
            if (!nodes.isEmpty()) {
                root.put("nodes", nodes);
            }
        } else {
            for (NodeConfig node : config.nodes()) {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("name", node.name());
                n.put("addresses", strings(node.addresses()));
                n.put("podCIDRs", strings(node.podCidrs()));
                n.put("uplink", uplink(node.uplink()));
                nodes.add(n);
            }
            root.put("nodes", nodes);
            List<Object> services = new ArrayList<>();
            for (ServiceConfig service : config.services()) {
                services.add(service(service));
            }
            root.put("services", services);
        }
        root.put("masquerade", config.masquerade().enabled());
        if (!config.masquerade().nonMasqueradeCidrs().isEmpty()) {
            root.put("nonMasqueradeCIDRs", strings(config.masquerade().nonMasqueradeCidrs()));
        }
        if (!config.networkPolicy().isEmpty()) {
            root.put("networkPolicy", NetworkPolicyWriter.section(config.networkPolicy()));
        }
        return dump(root);
    }

    /** YAML text of maps and lists, in the style every file the project writes uses. */
    static String dump(Object root) {
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.AUTO).setIndent(2)
                .setIndicatorIndent(2).setIndentWithIndicator(true).setWidth(120).build();
        return new Dump(settings).dumpToString(root);
    }

    private static Map<String, Object> uplink(UplinkConfig uplink) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("interface", uplink.interfaceName());
        u.put("mtu", uplink.mtu());
        u.put("attach", uplink.attach().configName());
        return u;
    }

    private static Map<String, Object> overlay(OverlayConfig overlay) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("mode", overlay.mode().configName());
        if (overlay.mode().encapsulates()) {
            o.put("vni", overlay.vni());
            o.put("udpPort", overlay.udpPort());
        }
        o.put("podMTU", overlay.podMtu());
        o.put("underlayFamily", overlay.underlayFamily().displayName());
        return o;
    }

    private static Map<String, Object> service(ServiceConfig service) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", service.name());
        s.put("vips", strings(service.vips()));
        List<Object> ports = new ArrayList<>();
        for (ServicePort port : service.ports()) {
            Map<String, Object> p = new LinkedHashMap<>();
            if (!port.name().isEmpty()) {
                p.put("name", port.name());
            }
            p.put("protocol", port.protocol().name());
            p.put("port", port.port());
            p.put("targetPort", port.targetPort());
            if (port.hasNodePort()) {
                p.put("nodePort", port.nodePort());
            }
            ports.add(p);
        }
        s.put("ports", ports);
        s.put("sessionAffinity", service.sessionAffinity().configName());
        if (service.sessionAffinityTimeoutSeconds() > 0) {
            s.put("sessionAffinityTimeoutSeconds", service.sessionAffinityTimeoutSeconds());
        }
        s.put("externalTrafficPolicy", service.externalTrafficPolicy().configName());
        s.put("internalTrafficPolicy", service.internalTrafficPolicy().configName());
        if (!service.externalIps().isEmpty()) {
            s.put("externalIPs", strings(service.externalIps()));
        }
        List<Object> backends = new ArrayList<>();
        for (ServiceBackend backend : service.backends()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("address", backend.address().toString());
            if (backend.port() != 0) {
                b.put("port", backend.port());
            }
            b.put("weight", backend.weight());
            b.put("ready", backend.ready());
            b.put("terminating", backend.terminating());
            backends.add(b);
        }
        s.put("backends", backends);
        return s;
    }

    private static List<String> strings(List<?> values) {
        return values.stream().map(Object::toString).toList();
    }
}
