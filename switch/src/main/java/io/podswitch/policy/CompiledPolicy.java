package io.podswitch.policy;

import java.util.List;

/**
 * Every NetworkPolicy that concerns this node's pods, compiled into tables the workers classify a new flow
 * with in bounded time: two address lookups, two array reads, at most two binary searches over port ranges.
 * Immutable; built by the control plane (daemon.policy) and swapped in whole through {@link PolicyTables}.
 *
 * <pre>
 *  src address ─► AddressClassifier ─► (class S, slot s)          dst address ─► (class D, slot d)
 *
 *  egress  (s is a local pod):  t = egressTable[s];  t < 0 → not isolated
 *                               set = rows[t * classes + D]  ─► PortSets.match(set, protocol, dport) ─► policy | DENIED
 *  ingress (d is a local pod):  t = ingressTable[d]; t < 0 → not isolated
 *                               set = rows[t * classes + S]  ─► PortSets.match(...)
 *
 *  rows (int, one per table × peer class):
 *            class 0   class 1   class 2  ...
 *  table 0 [  set 0  |  set 3  |  set 0  | ...]     set 0 = DENY
 *  table 1 [  set 2  |  set 2  |  set 1  | ...]
 * </pre>
 *
 * A table is one pod-direction's policy: the rules of every policy that isolates the pod in that direction
 * (pods selected by the same policies, with the same named ports, share a table). A peer class is a set of
 * addresses every rule treats alike (see {@link AddressInfo}).
 *
 * @param generation    changes on every compile; connection-tracking entries validated under an older one are
 *                      checked again (policy changes apply to established connections at their next packet)
 * @param tracking      some NetworkPolicy exists: flows of local pods are tracked so that replies pass
 *                      whatever isolation appears later
 * @param enforcing     some local pod is isolated, or tracking is on: the policy stage has work
 * @param ingressTable  by local slot: the pod's ingress table, or -1 when no policy isolates its ingress
 * @param egressTable   by local slot: its egress table, or -1
 * @param denyPolicy    by table: the policy a drop by that table is counted against (its first isolating policy)
 * @param slotNames     by local slot: the pod ("namespace/name"), for logs and tools
 * @param policyNames   by policy id: "namespace/name" (null for an unused id), for counters and logs
 */
public record CompiledPolicy(long generation, boolean tracking, boolean enforcing, AddressClassifier addresses,
                             int classes, int[] ingressTable, int[] egressTable, int[] rows, PortSets portSets,
                             int[] denyPolicy, List<String> slotNames, List<String> policyNames) {

    /** Nothing to enforce, nothing to track (no NetworkPolicy anywhere). */
    public static CompiledPolicy none(long generation) {
        return new CompiledPolicy(generation, false, false,
                new AddressClassifier.Builder(AddressInfo.of(0, AddressInfo.NO_SLOT, false)).build(), 1, new int[0],
                new int[0], new int[0], new PortSets.Builder().build(), new int[0], List.of(), List.of());
    }

    public CompiledPolicy {
        if (ingressTable.length != egressTable.length || slotNames.size() != ingressTable.length) {
            throw new IllegalArgumentException("per-slot arrays differ in length");
        }
        if (classes < 1 || rows.length % classes != 0 || denyPolicy.length != rows.length / classes) {
            throw new IllegalArgumentException("rows do not fit " + classes + " classes and " + denyPolicy.length + " tables");
        }
        slotNames = List.copyOf(slotNames);
        policyNames = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(policyNames));
    }

    /** Returned by {@link #egress} and {@link #ingress} when the pod is not isolated in that direction (or not local). */
    public static final int NOT_ISOLATED = -2;

    /**
     * The policy that lets a packet of class {@code peerClass} through table {@code table} (protocol, port),
     * or {@link PortSets#DENIED}. {@code port} &lt; 0: a packet without ports (a non-first fragment).
     */
    public int verdict(int table, int peerClass, int ipProtocol, int port) {
        int set = rows[table * classes + peerClass];
        return port < 0 ? portSets.matchEveryPort(set, ipProtocol) : portSets.match(set, ipProtocol, port);
    }

    /**
     * Egress of a new connection from the address described by {@code fromInfo} to {@code toInfo}: the
     * allowing policy, {@link PortSets#DENIED}, or {@link #NOT_ISOLATED} (not a local pod, or no policy
     * isolates its egress).
     */
    public int egress(long fromInfo, long toInfo, int ipProtocol, int port) {
        int slot = AddressInfo.slot(fromInfo);
        int table = slot < 0 ? -1 : egressTable[slot];
        return table < 0 ? NOT_ISOLATED : verdict(table, AddressInfo.peerClass(toInfo), ipProtocol, port);
    }

    /** Ingress of that connection into the address described by {@code toInfo} (see {@link #egress}). */
    public int ingress(long fromInfo, long toInfo, int ipProtocol, int port) {
        int slot = AddressInfo.slot(toInfo);
        int table = slot < 0 ? -1 : ingressTable[slot];
        return table < 0 ? NOT_ISOLATED : verdict(table, AddressInfo.peerClass(fromInfo), ipProtocol, port);
    }

    /** The table that judged the last {@link #egress} / {@link #ingress} of this address (for drop attribution). */
    public int egressTableOf(long fromInfo) {
        return egressTable[AddressInfo.slot(fromInfo)];
    }

    public int ingressTableOf(long toInfo) {
        return ingressTable[AddressInfo.slot(toInfo)];
    }

    public int slots() {
        return ingressTable.length;
    }

    public int tables() {
        return denyPolicy.length;
    }
}
