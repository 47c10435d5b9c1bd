package io.podswitch.graph;

import io.podswitch.policy.AddressInfo;
import io.podswitch.policy.CompiledPolicy;
import io.podswitch.policy.DenyLog;
import io.podswitch.policy.PolicyConnTrack;
import io.podswitch.policy.PolicyTables;
import io.podswitch.policy.PortSets;
import io.podswitch.service.TcpState;
import io.podswitch.stats.StripedCounters;

/**
 * One worker's NetworkPolicy decision for a packet, family-neutral (addresses as 128 bits, IPv4 mapped); the
 * family nodes ({@link Policy4Node}, {@link Policy6Node}) parse and call {@link #judge}. In order:
 * <ol>
 *   <li>neither end is a pod of this node → pass (the other node judges it);</li>
 *   <li>a pod talking to itself, or a pod and its node → pass (Kubernetes: a pod cannot block itself, the
 *       node always reaches its pods);</li>
 *   <li>a tracked connection (this worker's table first, then the others') judged under the current policy
 *       generation → pass; under an older one → classified again in the connection's own direction: still
 *       allowed → pass, no longer → the record becomes a tombstone (revoked) and the packet is judged on its
 *       own, as are all the connection's later packets, none of which may open it again (a TCP SYN may: a
 *       new connection on the same ports); dropped as "revoked" when its own direction is denied too;</li>
 *   <li>else a new connection: egress of the source pod (if on this node and isolated) and ingress of the
 *       destination pod (likewise) must both allow it; allowed → tracked (when {@code tracking}) and passed,
 *       denied → dropped, counted against the isolating policy, sampled into the deny log.</li>
 * </ol>
 * Results are counter indexes of the family node ({@link #isDrop}).
 */
final class PolicyStage {
    static final int ALLOWED = 0;
    static final int ESTABLISHED = 1;
    static final int REVALIDATED = 2;
    static final int RELATED = 3;
    static final int NODE = 4;
    static final int SELF = 5;
    static final int UNTRACKED = 6;
    static final int CONNTRACK_FULL = 7;
    static final int DENIED_INGRESS = 8;
    static final int DENIED_EGRESS = 9;
    static final int REVOKED = 10;
    static final int FRAGMENT = 11;
    static final int LOG_SUPPRESSED = 12;
    static final int TRANSIT = 13;
    private static final int TCP = 6;
    /** The family nodes' counter names, in index order. */
    static final String[] REASONS = {"allowed", "established", "revalidated", "related", "node", "self", "untracked",
            "conntrack_full", "denied_ingress", "denied_egress", "revoked", "fragment", "log_suppressed", "transit"};

    private final PolicyTables tables;
    private final PolicyConnTrack own;
    private final PolicyConnTrack[] tracks;
    private final StripedCounters policyCounters;
    private final int worker;
    private final DenyLog denyLog;
    final GraphPolicy config;
    private final PolicyConnTrack.Hit hit = new PolicyConnTrack.Hit();
    private final PolicyConnTrack.Key key = new PolicyConnTrack.Key();

    // The last classification: which policy allowed each direction, or which table denied.
    private int egressPolicy;
    private int ingressPolicy;
    private int deniedTable;
    private boolean deniedEgress;
    /** After a drop: whether it was a connection a policy change revoked, and whether its sample was logged. */
    boolean lastRevoked;
    boolean logged;

    PolicyStage(GraphPolicy config) {
        this.config = config;
        this.tables = config.tables;
        this.tracks = config.tracks;
        this.own = config.tracks[config.worker];
        this.worker = config.worker;
        this.policyCounters = tables.counters();
        this.denyLog = config.denyLog;
    }

    /** The snapshot to judge the next vector with (one volatile read per vector). */
    CompiledPolicy snapshot() {
        return tables.current();
    }

    static boolean isDrop(int result) {
        return result == DENIED_INGRESS || result == DENIED_EGRESS;
    }

    /**
     * Judges one packet.
     *
     * @param port     the destination port, or -1 for a packet without ports (other protocols, fragments)
     * @param keyed    the packet can be looked up as part of a connection: TCP/UDP/SCTP with ports, ICMP echo
     *                 (its identifier as the requester's port)
     * @param opens    a miss may open a connection (false for an echo reply: it never starts one)
     * @param tcpFlags the TCP flag byte (0 otherwise)
     */
    int judge(CompiledPolicy snap, int proto, long sh, long sl, int sport, long dh, long dl, int port, long srcInfo,
              long dstInfo, boolean keyed, boolean opens, int tcpFlags, boolean ipv6, long now) {
        int srcSlot = AddressInfo.slot(srcInfo);
        int dstSlot = AddressInfo.slot(dstInfo);
        if (srcSlot < 0 && dstSlot < 0) {
            return TRANSIT;
        }
        if (sh == dh && sl == dl) {
            return SELF;
        }
        if ((dstSlot >= 0 && AddressInfo.isNode(srcInfo)) || (srcSlot >= 0 && AddressInfo.isNode(dstInfo))) {
            return NODE;
        }
        boolean tracking = keyed && snap.tracking();
        boolean revoked = false;
        PolicyConnTrack table = null;
        int r = PolicyConnTrack.MISS;
        if (tracking) {
            key.set(proto, sh, sl, sport, dh, dl, port);
            r = find(now);
        }
        if (r >= 0) {
            table = hit.table;
            boolean current = hit.generation == snap.generation();
            if (current && !hit.revoked) {
                refresh(table, r, proto, tcpFlags, now);
                return ESTABLISHED;
            }
            // A policy changed since this connection was judged: is it still allowed as it was opened?
            boolean allowed = !(current && hit.revoked) && (hit.fromInitiator
                    ? classify(snap, proto, port, srcInfo, dstInfo) : classify(snap, proto, sport, dstInfo, srcInfo)) == ALLOWED;
            refresh(table, r, proto, tcpFlags, now); // a revoked connection that keeps trying keeps its tombstone
            if (allowed) {
                table.allowed(r, snap.generation());
                return REVALIDATED;
            }
            if (!hit.revoked || !current) {
                table.revoked(r, snap.generation());
            }
            // Revoked: from now on each of its packets is judged as what it is on its own, and none re-opens it
            // (only a SYN, a new connection on the same ports, may).
            revoked = true;
        }
        if (classify(snap, proto, port, srcInfo, dstInfo) != ALLOWED) {
            return deny(snap, proto, sh, sl, sport, dh, dl, port, ipv6, revoked, now);
        }
        if (egressPolicy >= 0) {
            policyCounters.add(worker, egressPolicy, PolicyTables.EGRESS_ALLOWED_FLOWS, 1);
        }
        if (ingressPolicy >= 0) {
            policyCounters.add(worker, ingressPolicy, PolicyTables.INGRESS_ALLOWED_FLOWS, 1);
        }
        if (!tracking || !opens) {
            return UNTRACKED; // nothing to key it by (another protocol, a fragment): every packet is judged
        }
        if (revoked) {
            if (proto != TCP || (tcpFlags & (TcpState.SYN | TcpState.ACK)) != TcpState.SYN) {
                return UNTRACKED;
            }
            if (table == own) {
                own.remove(r); // the tuple is reused by a new connection, which replaces the tombstone
            } else {
                table.supersede(r);
            }
        }
        int inserted = own.insert(key, snap.generation(), tcpFlags, now);
        return inserted == PolicyConnTrack.FULL ? CONNTRACK_FULL : ALLOWED;
    }

    /** Is this packet (an ICMP error quoting it) part of a tracked connection, in any worker's table? */
    boolean tracked(int proto, long sh, long sl, int sport, long dh, long dl, int dport, long now) {
        key.set(proto, sh, sl, sport, dh, dl, dport);
        return find(now) >= 0;
    }

    /** The connection of {@link #key}: this worker's table first, then the others'. */
    private int find(long now) {
        int r = own.isEmpty() ? PolicyConnTrack.MISS : own.lookupOwn(key, now, hit);
        if (r >= 0) {
            return r;
        }
        for (PolicyConnTrack t : tracks) {
            if (t != own && !t.isEmpty()) {
                r = t.lookupOther(key, now, hit);
                if (r >= 0) {
                    return r;
                }
            }
        }
        return PolicyConnTrack.MISS;
    }

    private void refresh(PolicyConnTrack table, int r, int proto, int tcpFlags, long now) {
        if (table == own) {
            own.touch(r, tcpFlags, now);
        } else {
            table.touchOther(r, proto, tcpFlags, now);
        }
    }

    /**
     * A new connection from the address described by {@code fromInfo} to {@code toInfo}:{@code port}:
     * {@link #ALLOWED}, {@link #DENIED_EGRESS} or {@link #DENIED_INGRESS} (with the scratch fields set).
     */
    private int classify(CompiledPolicy snap, int proto, int port, long fromInfo, long toInfo) {
        egressPolicy = snap.egress(fromInfo, toInfo, proto, port);
        if (egressPolicy == PortSets.DENIED) {
            deniedTable = snap.egressTableOf(fromInfo);
            deniedEgress = true;
            return DENIED_EGRESS;
        }
        ingressPolicy = snap.ingress(fromInfo, toInfo, proto, port);
        if (ingressPolicy == PortSets.DENIED) {
            deniedTable = snap.ingressTableOf(toInfo);
            deniedEgress = false;
            return DENIED_INGRESS;
        }
        return ALLOWED;
    }

    private int deny(CompiledPolicy snap, int proto, long sh, long sl, int sport, long dh, long dl, int port,
                     boolean ipv6, boolean revoked, long now) {
        policyCounters.add(worker, snap.denyPolicy()[deniedTable],
                deniedEgress ? PolicyTables.EGRESS_DENIED_PACKETS : PolicyTables.INGRESS_DENIED_PACKETS, 1);
        int what = proto | (ipv6 ? DenyLog.IPV6 : 0) | (deniedEgress ? DenyLog.EGRESS : 0) | (revoked ? DenyLog.REVOKED : 0);
        logged = denyLog.offer(now, sh, sl, dh, dl, sport, Math.max(port, 0), what);
        lastRevoked = revoked;
        return deniedEgress ? DENIED_EGRESS : DENIED_INGRESS;
    }

    /** Slow tick: expires this worker's connections in bounded slices, refills the log's rate. */
    void tick(long now) {
        own.sweep(now, config.sweepBudget);
        denyLog.refill(now);
    }
}
