package io.podswitch.daemon.services;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.ExternalTrafficPolicy;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.ServiceBackend;
import io.podswitch.config.model.ServiceConfig;
import io.podswitch.config.model.ServicePort;
import io.podswitch.config.model.SessionAffinity;
import io.podswitch.service.FlowHash;
import io.podswitch.service.MaglevBackend;
import io.podswitch.service.MaglevTable;
import io.podswitch.service.ServiceEndpoint;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the data path's {@link ServiceTable} equal to the configured services plus the endpoint changes made
 * through the control API. Control thread only.
 *
 * <p>Each service expands into keys: one per (VIP, port) — {@code ipFamilyPolicy} semantics, one VIP per
 * family, each served by the backends of its family — and one per (family, node port) for ports with a
 * {@code nodePort}. Every change is applied as a diff: keys that disappear are unpublished, new keys get a
 * free id, and a key whose content changed gets a new entry (new generation) under its old id; unchanged
 * keys are not touched, so their flows and Maglev tables stay exactly as they were.
 *
 * <p>Runtime endpoint changes ({@link #addBackend}, {@link #removeBackend}) edit the live backend list of one
 * service. {@link #apply(ClusterConfig)} (startup and reload) takes the file as the truth for every service
 * whose definition in the file changed or is new (runtime edits to it are discarded); a service whose file
 * definition is unchanged keeps its live backends.
 *
 * <p>Every operation validates everything first and mutates nothing on failure.
 */
public final class ServiceManager {
    /** Maglev weights are 1..256 (see {@link MaglevBackend#MAX_WEIGHT}); larger configured weights are capped. */
    static final int MAX_WEIGHT = MaglevBackend.MAX_WEIGHT;

    private final ServiceTable table;
    private final int maglevSize;
    private final Map<String, LiveService> services = new LinkedHashMap<>();
    private final Map<Key, Published> published = new LinkedHashMap<>();
    private List<Cidr> localPodCidrs = List.of();
    private int generation;

    /** One service as it runs: its file definition and its live backends. */
    private record LiveService(ServiceConfig config, List<ServiceBackend> backends) {
    }

    /** A table key: protocol, address (the VIP, or the family's unspecified address for a node port), port. */
    private record Key(int protocol, long high, long low, int port) {
    }

    private record Desired(String name, ServiceKind kind, List<ServiceEndpoint> endpoints, boolean externalLocal,
                           long affinityNanos) {
    }

    private record Published(int id, String service, Desired desired, ServiceEntry entry) {
    }

    /** What an {@link #apply} or an endpoint change did. */
    public record Change(int added, int updated, int removed) {
    }

    public ServiceManager(ServiceTable table) {
        this(table, MaglevTable.DEFAULT_SIZE);
    }

    /** @param maglevSize Maglev table size per key (a prime; tests use small ones) */
    public ServiceManager(ServiceTable table, int maglevSize) {
        this.table = table;
        this.maglevSize = maglevSize;
    }

    public ServiceTable table() {
        return table;
    }

    /**
     * Loads or reloads the configured services (and this node's pod CIDRs, which decide which endpoints are
     * local) and applies the difference to the table.
     *
     * @throws IllegalArgumentException when the result does not fit the table or an entry is invalid
     *                                  (nothing is changed)
     */
    public Change apply(ClusterConfig config) {
        List<Cidr> local = new ArrayList<>(config.thisNode().podCidrs());
        Map<String, LiveService> next = new LinkedHashMap<>();
        for (ServiceConfig s : config.services()) {
            LiveService current = services.get(s.name());
            boolean unchanged = current != null && current.config().equals(s);
            next.put(s.name(), unchanged ? current : new LiveService(s, List.copyOf(s.backends())));
        }
        Change change = sync(next, local);
        services.clear();
        services.putAll(next);
        localPodCidrs = List.copyOf(local);
        return change;
    }

    /**
     * Adds a backend to a service at run time, or replaces the one with the same address and port.
     *
     * @throws IllegalArgumentException unknown service, bad address/port/weight, or a family the service has
     *                                  no VIP for (nothing is changed)
     */
    public Change addBackend(String service, IpAddress address, int port, int weight, boolean ready,
                             boolean terminating) {
        LiveService live = existing(service);
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("backend port must be in 0..65535 (0 = each port's targetPort): " + port);
        }
        if (port != 0 && live.config().ports().size() > 1) {
            throw new IllegalArgumentException("service '" + service + "' has " + live.config().ports().size()
                + " ports: a backend port override needs a single-port service; use port 0 (targetPort)");
        }
        if (weight < 1 || weight > 65535) {
            throw new IllegalArgumentException("backend weight must be in 1..65535: " + weight);
        }
        if (live.config().vip(address.family()).isEmpty()) {
            throw new IllegalArgumentException("service '" + service + "' has no " + address.family()
                + " VIP, so it cannot use backend " + address);
        }
        List<ServiceBackend> backends = new ArrayList<>();
        for (ServiceBackend b : live.backends()) {
            if (!(b.address().equals(address) && b.port() == port)) {
                backends.add(b);
            }
        }
        backends.add(new ServiceBackend(address, port, weight, ready, terminating));
        return replaceBackends(service, live, backends);
    }

    /** Removes a backend (same address and port) from a service at run time. */
    public Change removeBackend(String service, IpAddress address, int port) {
        LiveService live = existing(service);
        List<ServiceBackend> backends = new ArrayList<>();
        for (ServiceBackend b : live.backends()) {
            if (!(b.address().equals(address) && b.port() == port)) {
                backends.add(b);
            }
        }
        if (backends.size() == live.backends().size()) {
            throw new IllegalArgumentException("service '" + service + "' has no backend " + address
                + (port == 0 ? "" : " port " + port));
        }
        return replaceBackends(service, live, backends);
    }

    private LiveService existing(String service) {
        LiveService live = services.get(service);
        if (live == null) {
            throw new IllegalArgumentException("no service named '" + service + "' (known: "
                + String.join(", ", services.keySet()) + ")");
        }
        return live;
    }

    private Change replaceBackends(String service, LiveService live, List<ServiceBackend> backends) {
        Map<String, LiveService> next = new LinkedHashMap<>(services);
        next.put(service, new LiveService(live.config(), List.copyOf(backends)));
        Change change = sync(next, localPodCidrs);
        services.put(service, next.get(service));
        return change;
    }

    /** The services as they run (for the API). */
    public List<ServiceView> views() {
        List<ServiceView> out = new ArrayList<>();
        for (LiveService s : services.values()) {
            List<ServiceView.KeyView> keys = new ArrayList<>();
            for (Map.Entry<Key, Published> e : published.entrySet()) {
                Published p = e.getValue();
                if (p.service().equals(s.config().name())) {
                    keys.add(new ServiceView.KeyView(p.id(), p.entry().name(), p.entry().generation(),
                        table.counters().get(p.id(), io.podswitch.service.ServiceCounters.PACKETS),
                        table.counters().get(p.id(), io.podswitch.service.ServiceCounters.NEW_CONNECTIONS),
                        table.counters().get(p.id(), io.podswitch.service.ServiceCounters.NO_BACKEND)));
                }
            }
            List<ServiceView.BackendView> backends = new ArrayList<>();
            for (ServiceBackend b : s.backends()) {
                backends.add(new ServiceView.BackendView(b, isLocal(b.address(), localPodCidrs)));
            }
            out.add(new ServiceView(s.config(), backends, keys));
        }
        return out;
    }

    /** Published keys with their entry names and ids (counters, tests). */
    public Map<Integer, String> keyNames() {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (Published p : published.values()) {
            out.put(p.id(), p.entry().name());
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ diff

    private Change sync(Map<String, LiveService> next, List<Cidr> local) {
        Map<Key, Desired> desired = new LinkedHashMap<>();
        Map<Key, String> owners = new LinkedHashMap<>();
        for (LiveService s : next.values()) {
            expand(s, local, desired, owners);
        }
        // Ids: kept for surviving keys; new keys take free ids not used by a surviving key.
        java.util.BitSet taken = new java.util.BitSet();
        for (Map.Entry<Key, Published> e : published.entrySet()) {
            if (desired.containsKey(e.getKey())) {
                taken.set(e.getValue().id());
            }
        }
        Map<Key, Integer> ids = new LinkedHashMap<>();
        Map<Key, ServiceEntry> entries = new LinkedHashMap<>();
        int nextGeneration = generation;
        int added = 0;
        int updated = 0;
        for (Map.Entry<Key, Desired> e : desired.entrySet()) {
            Key key = e.getKey();
            Desired d = e.getValue();
            Published old = published.get(key);
            if (old != null && old.desired().equals(d)) {
                continue;
            }
            int id;
            if (old != null) {
                id = old.id();
                updated++;
            } else {
                id = freeId(taken);
                taken.set(id);
                added++;
            }
            ids.put(key, id);
            // Building validates (families, ports, Maglev); a failure here leaves the table untouched.
            entries.put(key, new ServiceEntry(id, d.name(), d.kind(), key.protocol(), key.high(), key.low(),
                key.port(), d.endpoints(), d.externalLocal(), d.affinityNanos(), ++nextGeneration, maglevSize));
        }
        int removed = 0;
        for (var it = published.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Published> e = it.next();
            if (!desired.containsKey(e.getKey())) {
                table.remove(e.getValue().id());
                it.remove();
                removed++;
            }
        }
        for (Map.Entry<Key, ServiceEntry> e : entries.entrySet()) {
            Key key = e.getKey();
            ServiceEntry entry = e.getValue();
            if (!published.containsKey(key)) {
                table.counters().reset(entry.id());
            }
            table.put(entry);
            published.put(key, new Published(entry.id(), owners.get(key), desired.get(key), entry));
        }
        generation = nextGeneration;
        return new Change(added, updated, removed);
    }

    /**
     * The lowest id no surviving key holds. Ids of keys that disappear count as free: their removal is
     * applied before any new entry is published.
     */
    private int freeId(java.util.BitSet taken) {
        int id = taken.nextClearBit(0);
        if (id >= table.capacity()) {
            throw new IllegalArgumentException("the service table is full (" + table.capacity() + " keys)");
        }
        return id;
    }

    private static void expand(LiveService s, List<Cidr> local, Map<Key, Desired> desired, Map<Key, String> owners) {
        ServiceConfig c = s.config();
        long affinity = c.sessionAffinity() == SessionAffinity.CLIENT_IP
            ? c.sessionAffinityTimeoutSeconds() * 1_000_000_000L : 0;
        boolean externalLocal = c.externalTrafficPolicy() == ExternalTrafficPolicy.LOCAL;
        for (ServicePort port : c.ports()) {
            if (port.protocol() == Protocol.SCTP) {
                continue; // the data path balances TCP and UDP only (docs/service.md)
            }
            int protocol = port.protocol().ipProtocolNumber();
            String portName = port.name() == null || port.name().isEmpty() ? Integer.toString(port.port()) : port.name();
            for (IpAddress vip : c.vips()) {
                List<ServiceEndpoint> endpoints = endpoints(s.backends(), vip.family(), port, local);
                String family = vip.family() == IpFamily.IPV4 ? "v4" : "v6";
                Key clusterKey = key(protocol, vip, port.port());
                put(desired, owners, clusterKey, new Desired(c.name() + ":" + portName + ":" + family,
                    ServiceKind.CLUSTER_IP, endpoints, false, affinity), c.name());
                if (port.hasNodePort()) {
                    IpAddress any = vip.family() == IpFamily.IPV4 ? new Ip4Address(0) : new Ip6Address(0, 0);
                    put(desired, owners, key(protocol, any, port.nodePort()), new Desired(c.name() + ":" + portName + ":"
                        + family + ":nodeport", ServiceKind.NODE_PORT, endpoints, externalLocal, affinity), c.name());
                }
            }
        }
    }

    private static void put(Map<Key, Desired> desired, Map<Key, String> owners, Key key, Desired d, String owner) {
        String other = owners.putIfAbsent(key, owner);
        if (other != null) {
            throw new IllegalArgumentException("services '" + other + "' and '" + owner + "' both claim "
                + (key.protocol() == 6 ? "TCP" : "UDP") + " port " + key.port() + " on the same address");
        }
        desired.put(key, d);
    }

    private static List<ServiceEndpoint> endpoints(List<ServiceBackend> backends, IpFamily family, ServicePort port,
                                                   List<Cidr> local) {
        List<ServiceEndpoint> out = new ArrayList<>();
        for (ServiceBackend b : backends) {
            if (b.address().family() != family) {
                continue;
            }
            int weight = Math.min(MAX_WEIGHT, b.weight());
            long[] a = bits(b.address());
            out.add(new ServiceEndpoint(a[0], a[1], b.targetPortFor(port), weight, b.ready(), b.terminating(),
                isLocal(b.address(), local)));
        }
        return out;
    }

    static boolean isLocal(IpAddress address, List<Cidr> local) {
        for (Cidr c : local) {
            if (c.family() == address.family() && c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static Key key(int protocol, IpAddress address, int port) {
        long[] a = bits(address);
        return new Key(protocol, a[0], a[1], port);
    }

    /** The 128-bit form the data path uses: IPv4 as {@code ::ffff:a.b.c.d}. */
    static long[] bits(IpAddress address) {
        return switch (address) {
            case Ip4Address a -> new long[] {FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(a.value())};
            case Ip6Address a -> new long[] {a.high(), a.low()};
        };
    }

    @Override
    public String toString() {
        return "ServiceManager(" + services.size() + " services, " + published.size() + " keys)";
    }
}
