package io.podswitch.daemon.services;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.SessionAffinity;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.desired.DesiredEndpoint;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.DesiredServicePort;
import io.podswitch.daemon.desired.ServiceId;
import io.podswitch.service.FlowHash;
import io.podswitch.service.MaglevBackend;
import io.podswitch.service.ServiceBackends;
import io.podswitch.service.ServiceCounters;
import io.podswitch.service.ServiceEndpoint;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps the data path's {@link ServiceTable} equal to the desired services ({@code daemon.desired}, from the
 * cluster file or the Kubernetes API) plus the endpoint changes made through the control API. Control
 * thread only. docs/service.md, "Control plane", has the whole picture.
 *
 * <p><b>Keys.</b> Each service port expands, per family the service has a ClusterIP of, into table keys:
 * the ClusterIP, the node port (keyed by the family's unspecified address) and every external and
 * load-balancer IP of that family. The keys of one port and family share one {@link ServiceBackends}
 * (endpoints and Maglev tables), which holds the cluster table only when some key's traffic policy uses it
 * and the local table only when one uses that (kube-proxy's {@code UsesClusterEndpoints} /
 * {@code UsesLocalEndpoints}). SCTP ports are not served (the data path balances TCP and UDP) and are
 * logged once per service.
 *
 * <p><b>Cost.</b> {@link #apply(DesiredService)} and {@link #remove(ServiceId)} touch only that service's
 * keys: O(its ports × families × endpoints), whatever else the table holds. A key whose content did not
 * change keeps its entry object (same generation: its pinned flows are not even revalidated); a changed key
 * gets a new entry under its old id; new keys take free ids.
 *
 * <p><b>Atomicity.</b> Every operation validates and builds everything first; on an error
 * ({@link IllegalArgumentException} naming the service and the problem) nothing changes.
 *
 * <p><b>Runtime edits.</b> {@link #addBackend} / {@link #removeBackend} edit the live endpoints of one
 * service. When its source later gives the service again unchanged (a file reload, an API resync), the
 * edits stay; when the source's definition changed, the source wins.
 *
 * <p><b>Locality</b> ({@link #setLocality}): an endpoint is local when its {@code nodeName} is this node's
 * name, or — when it has no node name (the file) or this node's name is unknown — when its address lies in
 * this node's pod CIDRs.
 *
 * <p><b>External addresses</b> ({@link #externalAddresses}): after each change the listener hears which
 * external and load-balancer keys appeared on or left this node, to steer them from outside.
 */
public final class ServiceManager {
    /** Maglev weights are 1..256 (see {@link MaglevBackend#MAX_WEIGHT}); larger configured weights are capped. */
    public static final int MAX_WEIGHT = MaglevBackend.MAX_WEIGHT;
    /** Kubernetes' limit for {@code sessionAffinityConfig.clientIP.timeoutSeconds}. */
    static final int MAX_AFFINITY_SECONDS = 86_400;
    private static final int KNOWN_IN_ERRORS = 10;

    private final ServiceTable table;
    private final int maglevSize;
    private final Map<ServiceId, Held> services = new LinkedHashMap<>();
    /** Every published key and the service holding it. */
    private final Map<Key, ServiceId> owners = new HashMap<>();
    private final Set<ServiceId> sctpNoticed = new HashSet<>();
    private String nodeName;
    private List<Cidr> podCidrs = List.of();
    private int generation;
    private ExternalAddresses external = ExternalAddresses.NONE;

    /** A table key: protocol, address (the VIP, external IP, or the family's unspecified address), port. */
    record Key(int protocol, long high, long low, int port) {
    }

    /** The endpoints of one port and family and which tables its keys need (only while a change is planned). */
    private record BackendsSpec(List<ServiceEndpoint> endpoints, boolean cluster, boolean local) {
        /** Whether {@code b} holds exactly these endpoints and tables (then its entry can stay). */
        boolean heldBy(ServiceBackends b) {
            return (b.cluster() != null) == cluster && (b.local() != null) == local && b.holds(endpoints);
        }
    }

    /** What decides a key's entry besides its endpoints. */
    private record Spec(String name, ServiceKind kind, boolean internalLocal, boolean externalLocal,
                        long affinityNanos) {
    }

    /** A key as the service wants it. */
    private record Desired(Spec spec, BackendsSpec backends) {
    }

    /** A key as it is published (the endpoints live in the entry's backends, not twice). */
    private record Published(Spec spec, ServiceEntry entry) {
    }

    /** One service as it runs. */
    private static final class Held {
        /** As its source last gave it. */
        final DesiredService source;
        /** With runtime endpoint edits. */
        final DesiredService live;
        final Map<Key, Published> keys;

        Held(DesiredService source, DesiredService live, Map<Key, Published> keys) {
            this.source = source;
            this.live = live;
            this.keys = keys;
        }
    }

    /** One service's change, built and validated, not yet applied. */
    private record Plan(ServiceId id, DesiredService source, DesiredService live, Map<Key, Desired> desired,
                        Map<Key, Published> next, List<Key> built) {
    }

    /** What a change did, in table keys. */
    public record Change(int added, int updated, int removed) {
        static final Change NONE = new Change(0, 0, 0);

        Change plus(Change o) {
            return new Change(added + o.added, updated + o.updated, removed + o.removed);
        }
    }

    /**
     * Told, on the control thread, when an external or load-balancer (protocol, address, port) key starts
     * being served on this node (no service held it before) or stops (its last holder gave it up; a key that
     * moves between services in one change is neither), so that traffic to it from outside is steered into
     * the switch ({@link ServiceAddressSteering}). Implementations must not throw.
     */
    public interface ExternalAddresses {
        ExternalAddresses NONE = new ExternalAddresses() {
            @Override
            public void added(int protocol, IpAddress address, int port) {
            }

            @Override
            public void removed(int protocol, IpAddress address, int port) {
            }
        };

        void added(int protocol, IpAddress address, int port);

        void removed(int protocol, IpAddress address, int port);
    }

    /** Tables sized by their endpoints ({@link io.podswitch.service.MaglevTable#sizeFor}). */
    public ServiceManager(ServiceTable table) {
        this(table, 0);
    }

    /** @param maglevSize a fixed Maglev table size (a prime; tests), or 0 to size each table by its endpoints */
    public ServiceManager(ServiceTable table, int maglevSize) {
        this.table = table;
        this.maglevSize = maglevSize;
    }

    public ServiceTable table() {
        return table;
    }

    /** Sets who steers external addresses; it is told at once about those already served. */
    public void externalAddresses(ExternalAddresses listener) {
        this.external = listener;
        for (Held held : services.values()) {
            for (Map.Entry<Key, Published> e : held.keys.entrySet()) {
                if (e.getValue().spec().kind() == ServiceKind.EXTERNAL_IP) {
                    listener.added(e.getKey().protocol(), address(e.getKey()), e.getKey().port());
                }
            }
        }
    }

    /** The services held. */
    public Set<ServiceId> ids() {
        return Set.copyOf(services.keySet());
    }

    /** The service as it runs (with runtime edits), or null. */
    public DesiredService service(ServiceId id) {
        Held held = services.get(id);
        return held == null ? null : held.live;
    }

    /**
     * This node: its name and pod CIDRs decide which endpoints are local. Every service is re-evaluated
     * (rare: at start, and when this node's Node object changes).
     */
    public Change setLocality(String nodeName, List<Cidr> podCidrs) {
        List<Cidr> cidrs = List.copyOf(podCidrs);
        if (Objects.equals(nodeName, this.nodeName) && cidrs.equals(this.podCidrs)) {
            return Change.NONE;
        }
        String oldName = this.nodeName;
        List<Cidr> oldCidrs = this.podCidrs;
        this.nodeName = nodeName;
        this.podCidrs = cidrs;
        try {
            List<Plan> plans = new ArrayList<>();
            for (Held held : services.values()) {
                plans.add(plan(held.source, held.live, Set.of()));
            }
            return commit(plans, List.of());
        } catch (RuntimeException e) {
            this.nodeName = oldName;
            this.podCidrs = oldCidrs;
            throw e;
        }
    }

    /**
     * Adds a service or replaces it (same id). Only its keys are touched. A service given again unchanged
     * keeps its runtime endpoint edits.
     *
     * @throws IllegalArgumentException the service is invalid, claims a key another service holds, or does
     *                                  not fit the table (nothing is changed)
     */
    public Change apply(DesiredService service) {
        Held held = services.get(service.id());
        if (held != null && held.source.equals(service)) {
            return Change.NONE;
        }
        return commit(List.of(plan(service, service, Set.of())), List.of());
    }

    /** Removes a service and its keys (an unknown id changes nothing). */
    public Change remove(ServiceId id) {
        if (!services.containsKey(id)) {
            return Change.NONE;
        }
        return commit(List.of(), List.of(id));
    }

    /**
     * Makes the held services exactly {@code desired}: services not in it are removed, the others applied as
     * by {@link #apply(DesiredService)} (unchanged ones keep their runtime edits). All or nothing.
     *
     * @throws IllegalArgumentException a service is invalid, two claim the same key, two have the same id,
     *                                  or the result does not fit the table (nothing is changed)
     */
    public Change replaceAll(Collection<DesiredService> desired) {
        Map<ServiceId, DesiredService> byId = new LinkedHashMap<>();
        for (DesiredService s : desired) {
            if (byId.put(s.id(), s) != null) {
                throw new IllegalArgumentException("service " + s.id() + " is given twice");
            }
        }
        List<ServiceId> removed = new ArrayList<>();
        for (ServiceId id : services.keySet()) {
            if (!byId.containsKey(id)) {
                removed.add(id);
            }
        }
        // Keys of the services being replaced or removed are free for the others of this batch.
        Set<ServiceId> leaving = new HashSet<>(services.keySet());
        List<Plan> plans = new ArrayList<>();
        Map<Key, ServiceId> claimed = new HashMap<>();
        for (DesiredService s : byId.values()) {
            Held held = services.get(s.id());
            if (held != null && held.source.equals(s)) {
                for (Key k : held.keys.keySet()) {
                    claim(claimed, k, s.id());
                }
                continue;
            }
            Plan p = plan(s, s, leaving);
            for (Key k : p.desired().keySet()) {
                claim(claimed, k, s.id());
            }
            plans.add(p);
        }
        return commit(plans, removed);
    }

    private static void claim(Map<Key, ServiceId> claimed, Key key, ServiceId id) {
        ServiceId other = claimed.putIfAbsent(key, id);
        if (other != null && !other.equals(id)) {
            throw conflict(other, id, key);
        }
    }

    /**
     * Adds a backend to a service at run time, or replaces the one with the same address and port, in every
     * port of the service ({@code port} 0: each port's targetPort).
     *
     * @throws IllegalArgumentException unknown service, bad address/port/weight, a family the service has
     *                                  no ClusterIP for, or a port without a numeric targetPort (nothing is changed)
     */
    public Change addBackend(String service, IpAddress address, int port, int weight, boolean ready,
                             boolean terminating) {
        Held held = existing(service);
        DesiredService live = held.live;
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("backend port must be in 0..65535 (0 = each port's targetPort): " + port);
        }
        if (port != 0 && live.ports().size() > 1) {
            throw new IllegalArgumentException("service '" + service + "' has " + live.ports().size()
                + " ports: a backend port override needs a single-port service; use port 0 (targetPort)");
        }
        if (weight < 1 || weight > 65535) {
            throw new IllegalArgumentException("backend weight must be in 1..65535: " + weight);
        }
        if (clusterIp(live, address.family()) == null) {
            throw new IllegalArgumentException("service '" + service + "' has no " + address.family()
                + " ClusterIP, so it cannot use backend " + address);
        }
        List<DesiredServicePort> ports = new ArrayList<>();
        for (DesiredServicePort p : live.ports()) {
            int target = port != 0 ? port : p.targetPort();
            if (target == 0) {
                throw new IllegalArgumentException("service '" + service + "' port " + portName(p)
                    + " has a named targetPort: give the backend's port");
            }
            List<DesiredEndpoint> endpoints = new ArrayList<>();
            for (DesiredEndpoint e : p.endpoints()) {
                if (!(e.address().equals(address) && e.port() == target)) {
                    endpoints.add(e);
                }
            }
            endpoints.add(new DesiredEndpoint(address, target, Math.min(MAX_WEIGHT, weight), ready && !terminating,
                ready, terminating, null));
            ports.add(withEndpoints(p, endpoints));
        }
        return edit(held, withPorts(live, ports));
    }

    /**
     * Removes a backend from a service at run time: with {@code port} 0 every endpoint with that address,
     * else those with that address and port.
     */
    public Change removeBackend(String service, IpAddress address, int port) {
        Held held = existing(service);
        List<DesiredServicePort> ports = new ArrayList<>();
        boolean found = false;
        for (DesiredServicePort p : held.live.ports()) {
            List<DesiredEndpoint> endpoints = new ArrayList<>();
            for (DesiredEndpoint e : p.endpoints()) {
                if (e.address().equals(address) && (port == 0 || e.port() == port)) {
                    found = true;
                } else {
                    endpoints.add(e);
                }
            }
            ports.add(withEndpoints(p, endpoints));
        }
        if (!found) {
            throw new IllegalArgumentException("service '" + service + "' has no backend " + address
                + (port == 0 ? "" : " port " + port));
        }
        return edit(held, withPorts(held.live, ports));
    }

    private Change edit(Held held, DesiredService live) {
        return commit(List.of(plan(held.source, live, Set.of())), List.of());
    }

    private Held existing(String service) {
        Held held = services.get(ServiceId.parse(service));
        if (held == null) {
            List<String> known = new ArrayList<>();
            for (ServiceId id : services.keySet()) {
                if (known.size() == KNOWN_IN_ERRORS) {
                    known.add("... " + (services.size() - KNOWN_IN_ERRORS) + " more");
                    break;
                }
                known.add(id.toString());
            }
            throw new IllegalArgumentException("no service named '" + service + "' (known: " + String.join(", ", known)
                + ")");
        }
        return held;
    }

    /** The services as they run (for the API). */
    public List<ServiceView> views() {
        List<ServiceView> out = new ArrayList<>();
        for (Held held : services.values()) {
            out.add(view(held));
        }
        return out;
    }

    /** One service as it runs, or null. */
    public ServiceView view(ServiceId id) {
        Held held = services.get(id);
        return held == null ? null : view(held);
    }

    private ServiceView view(Held held) {
        List<ServiceView.KeyView> keys = new ArrayList<>();
        ServiceCounters counters = table.counters();
        for (Published p : held.keys.values()) {
            ServiceEntry e = p.entry();
            keys.add(new ServiceView.KeyView(e.id(), e.name(), e.generation(),
                counters.get(e.id(), ServiceCounters.PACKETS), counters.get(e.id(), ServiceCounters.NEW_CONNECTIONS),
                counters.get(e.id(), ServiceCounters.NO_BACKEND)));
        }
        Map<ServiceView.BackendView, List<Integer>> backends = new LinkedHashMap<>();
        for (DesiredServicePort p : held.live.ports()) {
            for (DesiredEndpoint e : p.endpoints()) {
                ServiceView.BackendView key = new ServiceView.BackendView(e.address(), List.of(), e.weight(), e.ready(),
                    e.serving(), e.terminating(), isLocal(e), e.nodeName());
                List<Integer> ports = backends.computeIfAbsent(key, k -> new ArrayList<>());
                if (!ports.contains(e.port())) {
                    ports.add(e.port());
                }
            }
        }
        List<ServiceView.BackendView> list = new ArrayList<>();
        for (Map.Entry<ServiceView.BackendView, List<Integer>> e : backends.entrySet()) {
            list.add(e.getKey().withPorts(e.getValue()));
        }
        return new ServiceView(held.live, list, keys);
    }

    // ---------------------------------------------------------------------------------- plan / commit

    /**
     * Builds one service's next keys and entries (validating everything) without touching the table.
     *
     * @param leaving services whose keys are free for this one (a batch replaces or removes them)
     */
    private Plan plan(DesiredService source, DesiredService live, Set<ServiceId> leaving) {
        Map<Key, Desired> desired = expand(live);
        for (Key key : desired.keySet()) {
            ServiceId owner = owners.get(key);
            if (owner != null && !owner.equals(live.id()) && !leaving.contains(owner)) {
                throw conflict(owner, live.id(), key);
            }
        }
        Held held = services.get(live.id());
        Map<Key, Published> current = held == null ? Map.of() : held.keys;
        // Keys of one port and family share their backends: reuse one still published or built here.
        Set<ServiceBackends> published = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Published p : current.values()) {
            published.add(p.entry().backends());
        }
        Map<BackendsSpec, ServiceBackends> built = new HashMap<>();
        Map<Key, Published> next = new LinkedHashMap<>();
        List<Key> changed = new ArrayList<>();
        for (Map.Entry<Key, Desired> e : desired.entrySet()) {
            Key key = e.getKey();
            Desired d = e.getValue();
            Published old = current.get(key);
            if (old != null && old.spec().equals(d.spec()) && d.backends().heldBy(old.entry().backends())) {
                next.put(key, old);
                continue;
            }
            ServiceBackends backends = built.get(d.backends());
            if (backends == null) {
                for (ServiceBackends candidate : published) {
                    if (d.backends().heldBy(candidate)) {
                        backends = candidate;
                        break;
                    }
                }
            }
            if (backends == null) {
                List<ServiceBackends> siblings = new ArrayList<>(published);
                siblings.addAll(built.values());
                backends = build(d.backends(), siblings);
            }
            built.put(d.backends(), backends);
            Spec spec = d.spec();
            // The id is assigned at commit; -1 marks "not yet" (entries are rebuilt with it there, cheaply).
            ServiceEntry entry = new ServiceEntry(old == null ? -1 : old.entry().id(), spec.name(), spec.kind(),
                key.protocol(), key.high(), key.low(), key.port(), backends, spec.internalLocal(),
                spec.externalLocal(), spec.affinityNanos(), 0);
            next.put(key, new Published(spec, entry));
            changed.add(key);
        }
        return new Plan(live.id(), source, live, desired, next, changed);
    }

    /** The backends of one port and family; its tables come from another port's when the pods are the same. */
    private ServiceBackends build(BackendsSpec spec, List<ServiceBackends> siblings) {
        return maglevSize > 0
            ? ServiceBackends.withTableSize(spec.endpoints(), spec.cluster(), spec.local(), maglevSize)
            : ServiceBackends.of(spec.endpoints(), spec.cluster(), spec.local(), siblings);
    }

    /** Assigns ids and generations, then applies removals before publications (freed ids are reused). */
    private Change commit(List<Plan> plans, List<ServiceId> removedServices) {
        // Ids of keys that disappear are free once the removals are applied, which happens first.
        ArrayDeque<Integer> freed = new ArrayDeque<>();
        List<Key> removedKeys = new ArrayList<>();
        List<Integer> removedIds = new ArrayList<>();
        List<Key> externalsGone = new ArrayList<>();
        List<Key> externalsNew = new ArrayList<>();
        for (ServiceId id : removedServices) {
            for (Map.Entry<Key, Published> e : services.get(id).keys.entrySet()) {
                removedKeys.add(e.getKey());
                removedIds.add(e.getValue().entry().id());
                if (e.getValue().spec().kind() == ServiceKind.EXTERNAL_IP) {
                    externalsGone.add(e.getKey());
                }
            }
        }
        for (Plan p : plans) {
            Held held = services.get(p.id());
            if (held != null) {
                for (Map.Entry<Key, Published> e : held.keys.entrySet()) {
                    if (!p.next().containsKey(e.getKey())) {
                        removedKeys.add(e.getKey());
                        removedIds.add(e.getValue().entry().id());
                        if (e.getValue().spec().kind() == ServiceKind.EXTERNAL_IP) {
                            externalsGone.add(e.getKey());
                        }
                    }
                }
            }
        }
        freed.addAll(removedIds);
        int cursor = 0;
        int nextGeneration = generation;
        int added = 0;
        int updated = 0;
        List<Plan> ready = new ArrayList<>();
        for (Plan p : plans) {
            Map<Key, Published> next = new LinkedHashMap<>(p.next());
            for (Key key : p.built()) {
                Published pub = next.get(key);
                ServiceEntry draft = pub.entry();
                int id = draft.id();
                if (id < 0) {
                    if (!freed.isEmpty()) {
                        id = freed.poll();
                    } else {
                        id = table.freeId(cursor);
                        if (id < 0) {
                            throw new IllegalArgumentException("the service table is full (" + table.maxKeys()
                                + " keys): service " + p.id() + " does not fit");
                        }
                        cursor = id + 1;
                    }
                    added++;
                    // New to this service; new to the node only if no service held it before this change
                    // (owners is still as it was): a key moving between services in one batch stays steered.
                    if (pub.spec().kind() == ServiceKind.EXTERNAL_IP && !owners.containsKey(key)) {
                        externalsNew.add(key);
                    }
                } else {
                    updated++;
                }
                next.put(key, new Published(pub.spec(), new ServiceEntry(id, draft.name(), draft.kind(),
                    draft.protocol(), draft.addressHigh(), draft.addressLow(), draft.port(), draft.backends(),
                    pub.spec().internalLocal(), pub.spec().externalLocal(), draft.affinityTimeoutNanos(),
                    ++nextGeneration)));
            }
            ready.add(new Plan(p.id(), p.source(), p.live(), p.desired(), next, p.built()));
        }
        // Nothing below throws: the table changes only now.
        for (int i = 0; i < removedKeys.size(); i++) {
            owners.remove(removedKeys.get(i));
            table.remove(removedIds.get(i));
        }
        for (ServiceId id : removedServices) {
            services.remove(id);
        }
        for (Plan p : ready) {
            for (Key key : p.built()) {
                table.put(p.next().get(key).entry());
            }
            for (Key key : p.next().keySet()) {
                owners.put(key, p.id());
            }
            services.put(p.id(), new Held(p.source(), p.live(), p.next()));
        }
        generation = nextGeneration;
        for (Key key : externalsGone) {
            if (!owners.containsKey(key)) {
                external.removed(key.protocol(), address(key), key.port());
            }
        }
        for (Key key : externalsNew) {
            external.added(key.protocol(), address(key), key.port());
        }
        return new Change(added, updated, removedKeys.size());
    }

    // ---------------------------------------------------------------------------------- expansion

    /** The keys a service holds, validated. */
    private Map<Key, Desired> expand(DesiredService s) {
        ServiceId id = s.id();
        if (s.clusterIps().isEmpty()) {
            throw new IllegalArgumentException("service " + id + " has no ClusterIP (headless services are not proxied)");
        }
        Set<IpFamily> families = new HashSet<>();
        for (IpAddress vip : s.clusterIps()) {
            if (!families.add(vip.family())) {
                throw new IllegalArgumentException("service " + id + " has two " + vip.family() + " ClusterIPs");
            }
        }
        if (s.sessionAffinity() == SessionAffinity.CLIENT_IP
            && (s.sessionAffinityTimeoutSeconds() < 1 || s.sessionAffinityTimeoutSeconds() > MAX_AFFINITY_SECONDS)) {
            throw new IllegalArgumentException("service " + id + ": sessionAffinity timeout must be 1.."
                + MAX_AFFINITY_SECONDS + " seconds: " + s.sessionAffinityTimeoutSeconds());
        }
        long affinity = s.sessionAffinity() == SessionAffinity.CLIENT_IP
            ? s.sessionAffinityTimeoutSeconds() * 1_000_000_000L : 0;
        boolean itpLocal = s.internalTrafficLocal();
        boolean etpLocal = s.externalTrafficLocal();
        Map<Key, Desired> keys = new LinkedHashMap<>();
        for (DesiredServicePort port : s.ports()) {
            validate(id, port);
            if (port.protocol() == Protocol.SCTP) {
                if (sctpNoticed.add(id)) {
                    DaemonLog.info("service " + id + ": SCTP port " + portName(port) + " is not served (the data path "
                        + "balances TCP and UDP; SCTP to the ClusterIP is dropped)");
                }
                continue;
            }
            int protocol = port.protocol().ipProtocolNumber();
            for (IpAddress vip : s.clusterIps()) {
                IpFamily family = vip.family();
                Set<IpAddress> externals = new LinkedHashSet<>();
                for (IpAddress a : s.externalIps()) {
                    if (a.family() == family) {
                        externals.add(a);
                    }
                }
                for (IpAddress a : s.loadBalancerIps()) {
                    if (a.family() == family) {
                        externals.add(a);
                    }
                }
                boolean accessible = port.nodePort() != 0 || !externals.isEmpty();
                BackendsSpec backends = new BackendsSpec(endpoints(port, family), !itpLocal || accessible,
                    itpLocal || (etpLocal && accessible));
                String base = id + ":" + portName(port) + ":" + (family == IpFamily.IPV4 ? "v4" : "v6");
                put(keys, id, key(protocol, vip, port.port()),
                    new Desired(new Spec(base, ServiceKind.CLUSTER_IP, itpLocal, etpLocal, affinity), backends));
                if (port.nodePort() != 0) {
                    IpAddress any = family == IpFamily.IPV4 ? new Ip4Address(0) : new Ip6Address(0, 0);
                    put(keys, id, key(protocol, any, port.nodePort()), new Desired(
                        new Spec(base + ":nodeport", ServiceKind.NODE_PORT, itpLocal, etpLocal, affinity), backends));
                }
                for (IpAddress external : externals) {
                    put(keys, id, key(protocol, external, port.port()), new Desired(new Spec(base + ":external:"
                        + external, ServiceKind.EXTERNAL_IP, itpLocal, etpLocal, affinity), backends));
                }
            }
        }
        return keys;
    }

    private static void validate(ServiceId id, DesiredServicePort port) {
        if (port.protocol() == null) {
            throw new IllegalArgumentException("service " + id + " port " + portName(port) + " has no protocol");
        }
        if (port.port() < 1 || port.port() > 0xffff) {
            throw new IllegalArgumentException("service " + id + ": port out of range 1..65535: " + port.port());
        }
        if (port.nodePort() < 0 || port.nodePort() > 0xffff || port.targetPort() < 0 || port.targetPort() > 0xffff) {
            throw new IllegalArgumentException("service " + id + " port " + portName(port)
                + ": nodePort and targetPort must be in 0..65535");
        }
        for (DesiredEndpoint e : port.endpoints()) {
            if (e.address() == null || e.port() < 1 || e.port() > 0xffff) {
                throw new IllegalArgumentException("service " + id + " port " + portName(port)
                    + ": endpoint " + e.address() + " needs a port in 1..65535, not " + e.port());
            }
            if (e.weight() < 1 || e.weight() > MAX_WEIGHT) {
                throw new IllegalArgumentException("service " + id + " port " + portName(port) + ": endpoint "
                    + e.address() + " weight must be in 1.." + MAX_WEIGHT + ": " + e.weight());
            }
        }
    }

    private List<ServiceEndpoint> endpoints(DesiredServicePort port, IpFamily family) {
        List<ServiceEndpoint> out = new ArrayList<>();
        for (DesiredEndpoint e : port.endpoints()) {
            if (e.address().family() != family) {
                continue;
            }
            long[] a = bits(e.address());
            out.add(new ServiceEndpoint(a[0], a[1], e.port(), e.weight(), e.ready(), e.serving(), e.terminating(),
                isLocal(e)));
        }
        return out;
    }

    private boolean isLocal(DesiredEndpoint e) {
        if (e.nodeName() != null && nodeName != null) {
            return e.nodeName().equals(nodeName);
        }
        return isLocal(e.address(), podCidrs);
    }

    static boolean isLocal(IpAddress address, List<Cidr> local) {
        for (Cidr c : local) {
            if (c.family() == address.family() && c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static void put(Map<Key, Desired> keys, ServiceId id, Key key, Desired desired) {
        if (keys.put(key, desired) != null) {
            throw new IllegalArgumentException("service " + id + " claims " + describe(key) + " twice");
        }
    }

    private static IllegalArgumentException conflict(ServiceId holder, ServiceId claimant, Key key) {
        return new IllegalArgumentException("services " + holder + " and " + claimant + " both claim " + describe(key));
    }

    private static String describe(Key key) {
        String proto = key.protocol() == ServiceEntry.TCP ? "TCP" : "UDP";
        boolean v4 = key.high() == FlowHash.IPV4_MAPPED_HIGH && (key.low() >>> 32) == 0xffff;
        boolean any = v4 ? key.low() == ServiceTable.NODE_PORT4_LOW : (key.high() | key.low()) == 0;
        if (any) {
            return proto + " node port " + key.port() + (v4 ? " (IPv4)" : " (IPv6)");
        }
        return proto + " port " + key.port() + " on " + address(key);
    }

    private static IpAddress address(Key key) {
        boolean v4 = key.high() == FlowHash.IPV4_MAPPED_HIGH && (key.low() >>> 32) == 0xffff;
        return v4 ? new Ip4Address((int) key.low()) : new Ip6Address(key.high(), key.low());
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

    static String portName(DesiredServicePort port) {
        return port.name() == null || port.name().isEmpty() ? Integer.toString(port.port()) : port.name();
    }

    private static IpAddress clusterIp(DesiredService s, IpFamily family) {
        for (IpAddress a : s.clusterIps()) {
            if (a.family() == family) {
                return a;
            }
        }
        return null;
    }

    private static DesiredServicePort withEndpoints(DesiredServicePort p, List<DesiredEndpoint> endpoints) {
        return new DesiredServicePort(p.name(), p.protocol(), p.port(), p.targetPort(), p.nodePort(), endpoints);
    }

    private static DesiredService withPorts(DesiredService s, List<DesiredServicePort> ports) {
        return new DesiredService(s.id(), s.clusterIps(), s.externalIps(), s.loadBalancerIps(), ports,
            s.sessionAffinity(), s.sessionAffinityTimeoutSeconds(), s.externalTrafficLocal(), s.internalTrafficLocal());
    }

    @Override
    public String toString() {
        return "ServiceManager(" + services.size() + " services, " + owners.size() + " keys)";
    }
}
