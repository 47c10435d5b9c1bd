package io.podswitch.daemon.services;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.DesiredServicePort;
import io.podswitch.daemon.json.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One running service for {@code GET /v1/services}: its definition, live backends, and per-key counters
 * (each ClusterIP/port, node port and external IP/port is one table key with its own counters).
 */
public record ServiceView(DesiredService service, List<BackendView> backends, List<KeyView> keys) {

    /**
     * A live backend: one address with the same conditions in every port it serves, the ports it listens on,
     * and whether it is a pod of this node.
     */
    public record BackendView(IpAddress address, List<Integer> ports, int weight, boolean ready, boolean serving,
                              boolean terminating, boolean local, String nodeName) {
        BackendView withPorts(List<Integer> list) {
            return new BackendView(address, List.copyOf(list), weight, ready, serving, terminating, local, nodeName);
        }
    }

    /**
     * One published table key: id, entry name ({@code service:port:family[:nodeport|:external:IP]}),
     * generation, counters.
     */
    public record KeyView(int id, String name, int generation, long packets, long newConnections, long noBackend) {
    }

    /** The service's name as the API and CLI spell it ({@code namespace/name}, or the file's bare name). */
    public String name() {
        return service.id().toString();
    }

    /**
     * {@code {name, vips, externalIPs, loadBalancerIPs, ports: [{name, protocol, port, targetPort, nodePort}],
     * sessionAffinity, sessionAffinityTimeoutSeconds, externalTrafficPolicy, internalTrafficPolicy,
     * backends: [{address, ports, weight, ready, serving, terminating, local, nodeName}],
     * keys: [{id, name, generation, packets, newConnections, noBackend}]}}
     */
    public JsonNode toJson() {
        List<JsonNode> ports = new ArrayList<>();
        for (DesiredServicePort p : service.ports()) {
            ports.add(JsonCodec.object().put("name", p.name() == null ? "" : p.name())
                .put("protocol", p.protocol().name()).put("port", p.port()).put("targetPort", p.targetPort())
                .put("nodePort", p.nodePort()));
        }
        List<JsonNode> bs = new ArrayList<>();
        for (BackendView b : backends) {
            List<JsonNode> numbers = new ArrayList<>();
            for (int port : b.ports()) {
                numbers.add(JsonCodec.MAPPER.getNodeFactory().numberNode(port));
            }
            ObjectNode o = JsonCodec.object().put("address", b.address().toString())
                .set("ports", JsonCodec.array(numbers)).put("weight", b.weight()).put("ready", b.ready())
                .put("serving", b.serving()).put("terminating", b.terminating()).put("local", b.local());
            if (b.nodeName() != null) {
                o.put("nodeName", b.nodeName());
            }
            bs.add(o);
        }
        List<JsonNode> ks = new ArrayList<>();
        for (KeyView k : keys) {
            ks.add(JsonCodec.object().put("id", k.id()).put("name", k.name()).put("generation", k.generation())
                .put("packets", k.packets()).put("newConnections", k.newConnections()).put("noBackend", k.noBackend())
                );
        }
        return JsonCodec.object().put("name", name()).set("vips", strings(service.clusterIps()))
            .set("externalIPs", strings(service.externalIps())).set("loadBalancerIPs", strings(service.loadBalancerIps()))
            .set("ports", JsonCodec.array(ports)).put("sessionAffinity", service.sessionAffinity().configName())
            .put("sessionAffinityTimeoutSeconds", service.sessionAffinityTimeoutSeconds())
            .put("externalTrafficPolicy", service.externalTrafficLocal() ? "Local" : "Cluster")
            .put("internalTrafficPolicy", service.internalTrafficLocal() ? "Local" : "Cluster")
            .set("backends", JsonCodec.array(bs)).set("keys", JsonCodec.array(ks));
    }

    private static JsonNode strings(List<IpAddress> addresses) {
        List<String> out = new ArrayList<>();
        for (IpAddress a : addresses) {
            out.add(a.toString());
        }
        return JsonCodec.strings(out);
    }
}
