package io.podswitch.daemon.services;

import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.ServiceBackend;
import io.podswitch.config.model.ServiceConfig;
import io.podswitch.config.model.ServicePort;

import java.util.ArrayList;
import java.util.List;

/**
 * One running service for {@code GET /v1/services}: its definition, live backends, and per-key counters
 * (each VIP/port and node port is one table key with its own counters).
 */
public record ServiceView(ServiceConfig config, List<BackendView> backends, List<KeyView> keys) {

    /** A live backend and whether it is a pod of this node. */
    public record BackendView(ServiceBackend backend, boolean local) {
    }

    /** One published table key: id, entry name ({@code service:port:family[:nodeport]}), generation, counters. */
    public record KeyView(int id, String name, int generation, long packets, long newConnections, long noBackend) {
    }

    /**
     * {@code {name, vips, ports: [{name, protocol, port, targetPort, nodePort}], sessionAffinity,
     * sessionAffinityTimeoutSeconds, externalTrafficPolicy, backends: [{address, port, weight, ready,
     * terminating, local}], keys: [{id, name, generation, packets, newConnections, noBackend}]}}
     */
    public JsonValue toJson() {
        List<String> vips = new ArrayList<>();
        for (IpAddress vip : config.vips()) {
            vips.add(vip.toString());
        }
        List<JsonValue> ports = new ArrayList<>();
        for (ServicePort p : config.ports()) {
            ports.add(new ObjectBuilder().put("name", p.name() == null ? "" : p.name()).put("protocol", p.protocol().name())
                .put("port", p.port()).put("targetPort", p.targetPort()).put("nodePort", p.nodePort()).build());
        }
        List<JsonValue> bs = new ArrayList<>();
        for (BackendView v : backends) {
            ServiceBackend b = v.backend();
            bs.add(new ObjectBuilder().put("address", b.address().toString()).put("port", b.port())
                .put("weight", b.weight()).put("ready", b.ready()).put("terminating", b.terminating())
                .put("local", v.local()).build());
        }
        List<JsonValue> ks = new ArrayList<>();
        for (KeyView k : keys) {
            ks.add(new ObjectBuilder().put("id", k.id()).put("name", k.name()).put("generation", k.generation())
                .put("packets", k.packets()).put("newConnections", k.newConnections()).put("noBackend", k.noBackend())
                .build());
        }
        return new ObjectBuilder().put("name", config.name()).put("vips", ObjectBuilder.strings(vips))
            .put("ports", new JsonArray(ports)).put("sessionAffinity", config.sessionAffinity().configName())
            .put("sessionAffinityTimeoutSeconds", config.sessionAffinityTimeoutSeconds())
            .put("externalTrafficPolicy", config.externalTrafficPolicy().configName())
            .put("backends", new JsonArray(bs)).put("keys", new JsonArray(ks)).build();
    }
}
