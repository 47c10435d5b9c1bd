package io.podswitch.daemon.api;

import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniResult;
import io.podswitch.api.GcRequest;
import io.podswitch.daemon.desired.ServiceId;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.ipam.IpAddresses;
import io.podswitch.daemon.ipam.IpRange;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.pod.ApiException;
import io.podswitch.daemon.pod.PodManager;
import io.podswitch.daemon.pod.PodRecordJson;
import io.podswitch.daemon.services.ServiceManager;
import io.podswitch.daemon.services.ServiceView;
import io.podswitch.daemon.stats.DaemonCounters;
import io.podswitch.fib.AdjacencyTable;
import io.podswitch.graph.Interface;
import io.podswitch.graph.L3Graph;
import io.podswitch.neighbor.NeighborCache;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the control API can do, each operation run on the control thread: the CNI commands (through
 * {@link PodManager}) and the JSON views of pods, routes, neighbours, IPAM and counters.
 */
public final class DaemonOperations implements CniOperations {
    private final PodManager pods;
    private final SwitchEngine engine;
    private final DaemonCounters counters;
    private final ServiceManager services;

    public DaemonOperations(PodManager pods, SwitchEngine engine, DaemonCounters counters) {
        this(pods, engine, counters, null);
    }

    /** @param services the service manager, or null when the daemon runs without services */
    public DaemonOperations(PodManager pods, SwitchEngine engine, DaemonCounters counters, ServiceManager services) {
        this.pods = pods;
        this.engine = engine;
        this.counters = counters;
        this.services = services;
    }

    @Override
    public CniResult add(AttachmentRequest request) throws ApiException {
        return pods.add(request);
    }

    @Override
    public void del(AttachmentRequest request) throws ApiException {
        pods.del(request);
    }

    @Override
    public void check(AttachmentRequest request) throws ApiException {
        pods.check(request);
    }

    @Override
    public void status() throws ApiException {
        pods.status();
    }

    @Override
    public void gc(GcRequest request) throws ApiException {
        pods.gc(request);
    }

    /** {@code {"pods": [{containerID, ifName, network, netns, mac, mtu, addresses, portName, createdAt, portId, worker, rxPackets, txPackets}]}} */
    public JsonNode podsJson() {
        List<JsonNode> out = new ArrayList<>();
        for (PodManager.PodView view : pods.pods()) {
            ObjectNode b = JsonCodec.MAPPER.valueToTree(PodRecordJson.of(view.record()));
            out.add(b.put("portId", view.portId()).put("worker", view.worker()).put("rxPackets", view.rxPackets())
                    .put("txPackets", view.txPackets()));
        }
        return JsonCodec.object().set("pods", JsonCodec.array(out));
    }

    /** {@code {"routes": [{prefix, kind, port?, portName?, mac?, mtu?}]}}, IPv4 then IPv6, shortest first. */
    public JsonNode routesJson() {
        List<JsonNode> out = new ArrayList<>();
        engine.fib4().forEachRoute((prefix, length, adjacency) ->
                out.add(route(IpAddresses.format(AddressBits.fromIp4(prefix)) + "/" + length, adjacency)));
        engine.fib6().forEachRoute((high, low, length, adjacency) ->
                out.add(route(IpAddresses.format(AddressBits.fromIp6(high, low)) + "/" + length, adjacency)));
        return JsonCodec.object().set("routes", JsonCodec.array(out));
    }

    private JsonNode route(String prefix, int adjacency) {
        AdjacencyTable adj = engine.adjacencies();
        byte kind = adj.kind(adjacency);
        ObjectNode b = JsonCodec.object().put("prefix", prefix).put("kind", kindName(kind));
        if (kind != AdjacencyTable.DROP && kind != AdjacencyTable.LOCAL) {
            int port = adj.port(adjacency);
            b.put("port", port);
            Interface iface = engine.interfaces().get(port);
            if (iface != null) {
                b.put("portName", iface.port().name());
            }
            if (kind == AdjacencyTable.REWRITE) {
                b.put("mac", AddressBits.formatMac(adj.mac(adjacency)));
            } else if (kind == AdjacencyTable.ENCAP) {
                b.put("peer", adj.peer(adjacency));
            } else if (kind == AdjacencyTable.VIA) {
                InetAddress via = adj.nextHop4(adjacency) != 0
                        ? AddressBits.fromIp4(adj.nextHop4(adjacency))
                        : AddressBits.fromIp6(adj.nextHop6High(adjacency), adj.nextHop6Low(adjacency));
                b.put("via", IpAddresses.format(via));
            }
            b.put("mtu", adj.mtu(adjacency));
        }
        return b;
    }

    private static String kindName(byte kind) {
        return switch (kind) {
            case AdjacencyTable.DROP -> "drop";
            case AdjacencyTable.LOCAL -> "local";
            case AdjacencyTable.CONNECTED -> "connected";
            case AdjacencyTable.VIA -> "via";
            case AdjacencyTable.REWRITE -> "rewrite";
            case AdjacencyTable.ENCAP -> "encap";
            default -> "unknown(" + kind + ")";
        };
    }

    /**
     * {@code {"neighbors": [{worker, port, portName, address, mac, state}]}}: what each worker's ARP/ND
     * cache holds. The caches belong to the worker threads; this reads them from the control thread
     * without stopping anyone, so an entry changing at that instant may show half-updated (a
     * diagnostic view, never used for forwarding).
     */
    public JsonNode neighborsJson() {
        List<JsonNode> out = new ArrayList<>();
        List<L3Graph> graphs = engine.graphs();
        for (int w = 0; w < graphs.size(); w++) {
            addNeighbors(out, w, graphs.get(w).neighbors().ip4(), true);
            addNeighbors(out, w, graphs.get(w).neighbors().ip6(), false);
        }
        return JsonCodec.object().set("neighbors", JsonCodec.array(out));
    }

    private void addNeighbors(List<JsonNode> out, int worker, NeighborCache cache, boolean ip4) {
        for (int slot = 0; slot < cache.slotCount(); slot++) {
            byte state = cache.state(slot);
            if (state == NeighborCache.FREE) {
                continue;
            }
            int port = cache.port(slot);
            InetAddress address = ip4 ? AddressBits.fromIp4((int) cache.low(slot))
                    : AddressBits.fromIp6(cache.high(slot), cache.low(slot));
            ObjectNode b = JsonCodec.object().put("worker", worker).put("port", port);
            Interface iface = engine.interfaces().get(port);
            if (iface != null) {
                b.put("portName", iface.port().name());
            }
            out.add(b.put("address", IpAddresses.format(address)).put("mac", AddressBits.formatMac(cache.mac(slot)))
                    .put("state", state == NeighborCache.STATIC ? "static" : "dynamic"));
        }
    }

    /** {@code {"ranges": [{cidr, gateway, size, allocated}], "allocations": [{containerID, ifName, addresses}]}} */
    public JsonNode ipamJson() {
        List<JsonNode> ranges = new ArrayList<>();
        for (IpRange range : pods.ranges()) {
            ranges.add(JsonCodec.object().put("cidr", IpAddresses.format(range.networkAddress()) + "/" + range.prefixLength())
                    .put("gateway", IpAddresses.format(range.gateway()))
                    .put("size", range.size().min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue())
                    .put("allocated", pods.allocatedIn(range)));
        }
        List<JsonNode> allocations = new ArrayList<>();
        for (Map.Entry<io.podswitch.daemon.ipam.Attachment, List<InetAddress>> e : pods.ipam().allocations().entrySet()) {
            List<String> addresses = new ArrayList<>();
            for (InetAddress a : e.getValue()) {
                addresses.add(IpAddresses.format(a));
            }
            allocations.add(JsonCodec.object().put("containerID", e.getKey().containerId())
                    .put("ifName", e.getKey().ifName()).set("addresses", JsonCodec.strings(addresses)));
        }
        return JsonCodec.object().set("ranges", JsonCodec.array(ranges)).set("allocations", JsonCodec.array(allocations))
                ;
    }

    /** {@code {"services": [...]}}: see {@link ServiceView#toJson()}. */
    public JsonNode servicesJson() {
        List<JsonNode> out = new ArrayList<>();
        if (services != null) {
            for (ServiceView view : services.views()) {
                out.add(view.toJson());
            }
        }
        return JsonCodec.object().set("services", JsonCodec.array(out));
    }

    /** Adds (or replaces) a backend of a service; the answer is the service's new view. */
    public JsonNode addServiceBackend(ServiceEndpointRequest request) throws ApiException {
        ServiceManager.Change change = editServices(() -> services.addBackend(request.service(), request.address(),
                request.port(), request.weight(), request.ready(), request.terminating()));
        return changeJson(request.service(), change);
    }

    /** Removes a backend of a service. */
    public JsonNode removeServiceBackend(ServiceEndpointRequest request) throws ApiException {
        ServiceManager.Change change = editServices(() -> services.removeBackend(request.service(), request.address(),
                request.port()));
        return changeJson(request.service(), change);
    }

    private ServiceManager.Change editServices(java.util.function.Supplier<ServiceManager.Change> edit)
            throws ApiException {
        if (services == null) {
            throw new ApiException(io.podswitch.api.ApiError.INVALID_NETWORK_CONFIG, "services are not enabled", "");
        }
        try {
            return edit.get();
        } catch (IllegalArgumentException e) {
            throw new ApiException(io.podswitch.api.ApiError.INVALID_NETWORK_CONFIG, "invalid endpoint change",
                    e.getMessage());
        }
    }

    private JsonNode changeJson(String service, ServiceManager.Change change) {
        ObjectNode b = JsonCodec.object().put("service", service).put("keysUpdated", change.updated());
        ServiceView view = services.view(ServiceId.parse(service));
        if (view != null) {
            b.set("view", view.toJson());
        }
        return b;
    }

    /** {@code {"counters": {name: value, ...}}} */
    public JsonNode countersJson() {
        ObjectNode b = JsonCodec.object();
        for (Map.Entry<String, Long> e : counters.snapshot().entrySet()) {
            b.put(e.getKey(), e.getValue());
        }
        return JsonCodec.object().set("counters", b);
    }
}
