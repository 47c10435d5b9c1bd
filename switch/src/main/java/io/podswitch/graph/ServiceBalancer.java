package io.podswitch.graph;

import io.podswitch.service.FlowHash;
import io.podswitch.service.MaglevTable;
import io.podswitch.service.NatReply;
import io.podswitch.service.ServiceConnTrack;
import io.podswitch.service.ServiceCounters;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;
import io.podswitch.service.SessionAffinity;
import io.podswitch.service.TcpState;

/**
 * One worker's backend choice for packets to a service, family-neutral (128-bit addresses, IPv4 mapped):
 * conntrack hit → the pinned backend; else session affinity; else Maglev over the 5-tuple; then the new
 * flow is recorded. Decides the SNAT (hairpin, node port to a remote backend) too. The result is left in
 * public-to-the-package scratch fields (no allocation); the family nodes do the rewriting.
 */
final class ServiceBalancer {
    static final int FORWARD = 0;
    static final int NO_BACKEND = 1;
    static final int NO_LOCAL_BACKEND = 2;

    /** Counter indexes of {@link #counters} ({@code service.*}). */
    static final int NEW_FLOWS = 0;
    static final int PINNED = 1;
    static final int CONNTRACK_FULL = 2;
    static final int SNAT_CONFLICT = 3;
    static final int AFFINITY_HITS = 4;
    static final int BACKEND_GONE = 5;
    static final int HAIRPIN = 6;
    static final int NODE_PORT_SNAT = 7;
    static final int REPLIES = 8;
    static final int SUPERSEDED = 9;

    private static final int SNAT_ATTEMPTS = 8;

    final NodeCounters counters = new NodeCounters("service", "new_flows", "pinned", "conntrack_full",
            "snat_conflict", "affinity_hits", "backend_gone", "hairpin", "node_port_snat", "replies",
            "superseded");
    final ServiceTable table;
    final ServiceCounters serviceCounters;
    private final ServiceConnTrack own;
    private final ServiceConnTrack[] tracks;
    private final SessionAffinity affinity;
    private final int worker;
    final GraphServices config;
    final NatReply reply = new NatReply();
    /** Scratch for {@link #trackedElsewhere}. */
    private final NatReply elsewhere = new NatReply();

    // The decision for the current packet.
    long backendHigh;
    long backendLow;
    int backendPort;
    long snatHigh;
    long snatLow;
    int snatPort;
    /** The source changes (hairpin or node-port SNAT). */
    boolean snat;

    ServiceBalancer(GraphServices services) {
        this.config = services;
        this.table = services.table;
        this.serviceCounters = table.counters();
        this.own = services.tracks[services.worker];
        this.tracks = services.tracks;
        this.affinity = services.affinity;
        this.worker = services.worker;
    }

    /**
     * Chooses where a packet of a (possibly new) flow to {@code entry} goes.
     *
     * @param fromOutside the packet came in on an uplink (a node port, or an external IP from outside): the
     *                    entry's external table applies, and a remote backend needs SNAT
     * @param nodeHigh    the uplink address to SNAT to when such a flow goes to a remote backend
     * @return {@link #FORWARD} (scratch fields set), {@link #NO_BACKEND} (no endpoint anywhere: reject) or
     *         {@link #NO_LOCAL_BACKEND} (a Local policy and no endpoint here: drop)
     */
    int choose(ServiceEntry entry, boolean fromOutside, long nodeHigh, long nodeLow, int proto, long srcHigh,
               long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort, int tcpFlags, long now) {
        int id = entry.id();
        serviceCounters.increment(worker, id, ServiceCounters.PACKETS);
        int r = own.lookup(proto, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, now);
        if (r >= 0 && own.generation(r) != entry.generation()) {
            // The service changed since this pin was checked: keep it only if its backend still serves.
            if (entry.indexOfServing(own.backendHigh(r), own.backendLow(r), own.backendPort(r)) < 0
                    || own.service(r) != id) {
                counters.count(BACKEND_GONE);
                own.remove(r);
                r = ServiceConnTrack.MISS;
            } else {
                own.revalidated(r, entry.generation());
            }
        }
        if (r >= 0) {
            if (own.touch(r, tcpFlags, now)) {
                // A new connection on the tuple of one that closed: it stays on that backend, and it is one more
                // connection of the service (Linux's conntrack starts a new entry for it too).
                serviceCounters.increment(worker, id, ServiceCounters.NEW_CONNECTIONS);
            }
            counters.count(PINNED);
            backendHigh = own.backendHigh(r);
            backendLow = own.backendLow(r);
            backendPort = own.backendPort(r);
            snatHigh = own.snatHigh(r);
            snatLow = own.snatLow(r);
            snatPort = own.snatPort(r);
            snat = snatPort != srcPort || snatLow != srcLow || snatHigh != srcHigh;
            return FORWARD;
        }
        boolean external = fromOutside && entry.kind() != ServiceKind.CLUSTER_IP;
        MaglevTable maglev = fromOutside ? entry.externalTable() : entry.internalTable();
        long hash = FlowHash.hash6(proto, srcHigh, srcLow, dstHigh, dstLow, srcPort, dstPort);
        int index = MaglevTable.NO_BACKEND;
        long timeout = entry.affinityTimeoutNanos();
        int affinitySlot = SessionAffinity.MISS;
        if (timeout > 0 && affinity != null) {
            affinitySlot = affinity.lookup(id, srcHigh, srcLow, now);
            if (affinitySlot >= 0) {
                int remembered = affinity.backend(affinitySlot);
                // Indices are only meaningful within one generation of the entry (see ServiceEntry).
                if (remembered >>> 16 == (entry.generation() & 0xffff) && now - affinity.lastSeen(affinitySlot) <= timeout
                        && maglev.contains(remembered & 0xffff)) {
                    index = remembered & 0xffff;
                    counters.count(AFFINITY_HITS);
                }
            }
        }
        if (index == MaglevTable.NO_BACKEND) {
            index = maglev.lookup(hash);
        }
        if (index == MaglevTable.NO_BACKEND) {
            serviceCounters.increment(worker, id, ServiceCounters.NO_BACKEND);
            return entry.anyUsable() ? NO_LOCAL_BACKEND : NO_BACKEND;
        }
        if (timeout > 0 && affinity != null) {
            affinity.record(id, srcHigh, srcLow, (entry.generation() & 0xffff) << 16 | index, now);
        }
        backendHigh = entry.backendHigh(index);
        backendLow = entry.backendLow(index);
        backendPort = entry.backendPort(index);
        snatHigh = srcHigh;
        snatLow = srcLow;
        snatPort = srcPort;
        snat = false;
        if (backendLow == srcLow && backendHigh == srcHigh) {
            boolean v4 = entry.isIpv4();
            snatHigh = v4 ? FlowHash.IPV4_MAPPED_HIGH : config.hairpin.ipv6High();
            snatLow = v4 ? FlowHash.ipv4MappedLow(config.hairpin.ipv4()) : config.hairpin.ipv6Low();
            snat = true;
            counters.count(HAIRPIN);
        } else if (external && !entry.backendLocal(index) && (nodeLow | nodeHigh) != 0) {
            // The remote backend must answer through this node, or the client would see the reply come
            // from another node than the one it connected to.
            snatHigh = nodeHigh;
            snatLow = nodeLow;
            snat = true;
            counters.count(NODE_PORT_SNAT);
        }
        int state = proto == ServiceEntry.TCP ? TcpState.initial(tcpFlags) : TcpState.NONE;
        boolean addressSnat = snat;
        for (int attempt = 0; attempt < SNAT_ATTEMPTS; attempt++) {
            // Address SNAT (node ports, external IPs: one node address for clients arriving on every uplink
            // queue, hence every worker) can clash with another worker's flow too; the own table checks itself.
            int inserted = addressSnat && trackedElsewhere(proto, backendHigh, backendLow, backendPort, snatHigh,
                    snatLow, snatPort) ? ServiceConnTrack.CONFLICT
                    : own.insert(proto, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, backendHigh, backendLow,
                            backendPort, snatHigh, snatLow, snatPort, id, entry.generation(), state, now);
            if (inserted >= 0) {
                break;
            }
            if (inserted == ServiceConnTrack.FULL) {
                counters.count(CONNTRACK_FULL);
                break;
            }
            // CONFLICT: another flow already arrives at the same (source, port) from this backend — e.g. the
            // client reused its port for another service with the same endpoint while the first flow still
            // lingers. Try another source port (deterministic, above the privileged range); without SNAT
            // only the port changes, the client's address stays (what Linux NAT does on a reply-tuple clash).
            counters.count(SNAT_CONFLICT);
            if (attempt == SNAT_ATTEMPTS - 1) {
                snatPort = srcPort; // every alternative taken: stateless, with the client's own port
                snat = addressSnat;
                break;
            }
            snat = true;
            snatPort = 1024 + (int) Long.remainderUnsigned(hash + attempt * 0x9E37_79B9L, 64_512);
        }
        counters.count(NEW_FLOWS);
        serviceCounters.increment(worker, id, ServiceCounters.NEW_CONNECTIONS);
        return FORWARD;
    }

    /** Whether another worker tracks a flow that the backend reaches at (snat, snatPort). */
    private boolean trackedElsewhere(int proto, long backendHigh, long backendLow, int backendPort, long snatHigh,
                                     long snatLow, int snatPort) {
        for (ServiceConnTrack t : tracks) {
            if (t != own && !t.isEmpty() && t.findReply(proto, backendHigh, backendLow, backendPort, snatHigh, snatLow,
                    snatPort, elsewhere)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Looks a packet up as a reply of a service flow (source = backend, destination = SNAT address) in
     * every worker's table, this worker's first; on a hit {@link #reply} holds the original addresses. Only
     * packets from a current endpoint are looked up: replies of a removed endpoint's flows pass untranslated
     * (its clients' next packets are sent elsewhere anyway, see {@code BACKEND_GONE}).
     */
    boolean findReply(int proto, long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort) {
        if (!table.isBackend(proto, srcHigh, srcLow, srcPort)) {
            return false; // not from an endpoint: ordinary traffic (the common case), no table probed
        }
        if (!own.isEmpty() && own.findReply(proto, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, reply)) {
            return true;
        }
        for (ServiceConnTrack t : tracks) {
            if (t != own && !t.isEmpty() && t.findReply(proto, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, reply)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A TCP SYN that is not for a service: if it opens a connection straight to a backend on the exact
     * tuple a tracked service flow was translated to (the client reused its source port after the
     * service connection ended), that flow is over — mark it superseded so the new connection's replies
     * are not translated as the old flow's. Only SYNs to endpoints pay the probe.
     */
    void supersedeReused(int proto, long clientHigh, long clientLow, int clientPort, long backendHigh,
                         long backendLow, int backendPort) {
        if (findReply(proto, backendHigh, backendLow, backendPort, clientHigh, clientLow, clientPort)) {
            reply.table.supersede(reply.record);
            counters.count(SUPERSEDED);
        }
    }

    /** Whether any worker tracks a flow (replies cannot match otherwise). */
    boolean anyFlows() {
        for (ServiceConnTrack t : tracks) {
            if (!t.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    void replied(int proto, int tcpFlags, long now) {
        counters.count(REPLIES);
        reply.table.touchOther(reply.record, proto, tcpFlags, now);
        serviceCounters.increment(worker, reply.service, ServiceCounters.PACKETS);
    }

    /** Slow tick: expires this worker's flows and affinities in bounded slices. */
    void sweep(long now) {
        own.sweep(now, config.sweepBudget);
        if (affinity != null) {
            affinity.sweep(now, config.sweepBudget);
        }
    }
}
