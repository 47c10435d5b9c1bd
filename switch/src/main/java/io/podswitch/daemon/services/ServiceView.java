package io.podswitch.daemon.services;

import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.DesiredServicePort;

import java.util.ArrayList;
import java.util.List;

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
    public JsonValue toJson() {
        List<JsonValue> ports = new ArrayList<>();
        for (DesiredServicePort p : service.ports()) {
            ports.add(new ObjectBuilder().put("name", p.name() == null ? "" : p.name())
                .put("protocol", p.protocol().name()).put("port", p.port()).put("targetPort", p.targetPort())
                .put("nodePort", p.nodePort()).build());
        }
        List<JsonValue> bs = new ArrayList<>();
        for (BackendView b : backends) {
            List<JsonValue> numbers = new ArrayList<>();
            for (int port : b.ports()) {
                numbers.add(JsonValue.JsonNumber.of(port));
            }
            ObjectBuilder o = new ObjectBuilder().put("address", b.address().toString())
                .put("ports", new JsonArray(numbers)).put("weight", b.weight()).put("ready", b.ready())
                .put("serving", b.serving()).put("terminating", b.terminating()).put("local", b.local());
            if (b.nodeName() != null) {
                o.put("nodeName", b.nodeName());
            }
            bs.add(o.build());
        }
        List<JsonValue> ks = new ArrayList<>();
        for (KeyView k : keys) {
            ks.add(new ObjectBuilder().put("id", k.id()).put("name", k.name()).put("generation", k.generation())
                .put("packets", k.packets()).put("newConnections", k.newConnections()).put("noBackend", k.noBackend())
                .build());
        }
        return new ObjectBuilder().put("name", name()).put("vips", strings(service.clusterIps()))
            .put("externalIPs", strings(service.externalIps())).put("loadBalancerIPs", strings(service.loadBalancerIps()))
            .put("ports", new JsonArray(ports)).put("sessionAffinity", service.sessionAffinity().configName())
            .put("sessionAffinityTimeoutSeconds", service.sessionAffinityTimeoutSeconds())
            .put("externalTrafficPolicy", service.externalTrafficLocal() ? "Local" : "Cluster")
            .put("internalTrafficPolicy", service.internalTrafficLocal() ? "Local" : "Cluster")
            .put("backends", new JsonArray(bs)).put("keys", new JsonArray(ks)).build();
    }

    private static JsonValue strings(List<IpAddress> addresses) {
        List<String> out = new ArrayList<>();
        for (IpAddress a : addresses) {
            out.add(a.toString());
        }
        return ObjectBuilder.strings(out);
    }
}
