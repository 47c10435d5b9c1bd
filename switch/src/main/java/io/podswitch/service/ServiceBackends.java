package io.podswitch.service;

import java.util.ArrayList;
import java.util.List;

/**
 * The endpoints of one service port in one family and the Maglev tables over them. Immutable, built on the
 * control thread and shared by every table key that reaches this port in this family — the ClusterIP, the
 * node port, each external and load-balancer IP — so a service's tables exist once, not once per key.
 *
 * <p>Two tables, each built only when a key uses it (kube-proxy's {@code UsesClusterEndpoints} /
 * {@code UsesLocalEndpoints}):
 * <ul>
 *   <li>the <em>cluster</em> table over every endpoint (ready ones; without any, serving-and-terminating
 *       ones);</li>
 *   <li>the <em>local</em> table over this node's endpoints only, with the same fallback applied to them
 *       alone (for {@code internalTrafficPolicy: Local} and {@code externalTrafficPolicy: Local}).</li>
 * </ul>
 * Each is sized by the endpoints it may choose from ({@link MaglevTable#sizeFor}): a service with up to 255
 * pods holds 4 KiB of slots per table, not 256 KiB. Slot values are indices into this endpoint list in both
 * tables.
 *
 * <p>Per endpoint (parallel arrays, about 24 bytes):
 * <pre>
 *   high 64 | low 64 | port 16 | weight 16 | flags 8: READY 1, SERVING 2, TERMINATING 4, LOCAL 8
 * </pre>
 */
public final class ServiceBackends {
    private static final byte READY = 1;
    private static final byte SERVING = 2;
    private static final byte TERMINATING = 4;
    private static final byte LOCAL = 8;

    private final long[] high;
    private final long[] low;
    private final char[] port;
    private final char[] weight;
    private final byte[] flags;
    private final MaglevTable cluster;
    private final MaglevTable local;
    private final boolean anyUsable;

    /**
     * @param clusterTable build the table over every endpoint
     * @param localTable   build the table over this node's endpoints
     * @param fixedSize    a table size for both tables (a prime; tests), or 0 to size each by its endpoints
     */
    private ServiceBackends(List<ServiceEndpoint> endpoints, boolean clusterTable, boolean localTable, int fixedSize) {
        int n = endpoints.size();
        if (n > 0xffff) {
            throw new IllegalArgumentException("too many endpoints (max 65535): " + n);
        }
        high = new long[n];
        low = new long[n];
        port = new char[n];
        weight = new char[n];
        flags = new byte[n];
        List<MaglevBackend> all = clusterTable ? new ArrayList<>(n) : null;
        List<MaglevBackend> mine = localTable ? new ArrayList<>(n) : null;
        int localCount = 0;
        boolean usable = false;
        Boolean ipv4 = null;
        for (int i = 0; i < n; i++) {
            ServiceEndpoint e = endpoints.get(i);
            if (ipv4 != null && ipv4 != e.isIpv4()) {
                throw new IllegalArgumentException("endpoints of both families in one list: " + e);
            }
            ipv4 = e.isIpv4();
            high[i] = e.addressHigh();
            low[i] = e.addressLow();
            port[i] = (char) e.port();
            weight[i] = (char) e.weight();
            flags[i] = (byte) ((e.ready() ? READY : 0) | (e.serving() ? SERVING : 0) | (e.terminating() ? TERMINATING : 0)
                    | (e.local() ? LOCAL : 0));
            MaglevBackend b = e.toMaglev();
            usable |= b.primary() || b.fallback();
            if (e.local()) {
                localCount++;
            }
            if (all != null) {
                all.add(b);
            }
            if (mine != null) {
                // Indices stay aligned with the endpoint list: a remote endpoint becomes weight 0 (excluded).
                mine.add(e.local() ? b : new MaglevBackend(b.addressHigh(), b.addressLow(), b.port(), 0, false, false,
                        false));
            }
        }
        anyUsable = usable;
        cluster = all == null ? null
                : MaglevTable.build(all, fixedSize > 0 ? fixedSize : MaglevTable.sizeFor(n));
        local = mine == null ? null
                : MaglevTable.build(mine, fixedSize > 0 ? fixedSize : MaglevTable.sizeFor(localCount));
    }

    /** Tables sized by their endpoints. */
    public static ServiceBackends of(List<ServiceEndpoint> endpoints, boolean clusterTable, boolean localTable) {
        return new ServiceBackends(endpoints, clusterTable, localTable, 0);
    }

    /** Both tables of a fixed size (a prime): tests and the old sizing's baseline. */
    public static ServiceBackends withTableSize(List<ServiceEndpoint> endpoints, boolean clusterTable,
                                                boolean localTable, int tableSize) {
        return new ServiceBackends(endpoints, clusterTable, localTable, tableSize);
    }

    public int count() {
        return port.length;
    }

    public long high(int i) {
        return high[i];
    }

    public long low(int i) {
        return low[i];
    }

    public int port(int i) {
        return port[i];
    }

    public boolean local(int i) {
        return (flags[i] & LOCAL) != 0;
    }

    /** The table over every endpoint, or null when no key of this port uses it. */
    public MaglevTable cluster() {
        return cluster;
    }

    /** The table over this node's endpoints, or null when no key of this port uses it. */
    public MaglevTable local() {
        return local;
    }

    /**
     * Some endpoint, on any node, takes connections (ready, or serving and terminating). A Local policy
     * without a local endpoint then drops (kube-proxy), where a service without any endpoint rejects.
     */
    public boolean anyUsable() {
        return anyUsable;
    }

    /** Is the list all IPv4 (true), all IPv6 (false)? Empty lists: null. */
    Boolean ipv4() {
        return high.length == 0 ? null : high[0] == FlowHash.IPV4_MAPPED_HIGH && (low[0] >>> 32) == 0xffff;
    }

    /**
     * The index of the endpoint with this address and port that may still carry an existing flow (see
     * {@link ServiceEndpoint#mayKeepFlows()}), or -1. Linear, but only called when a pinned flow meets a
     * newer generation of its entry. Allocation-free.
     */
    public int indexOfServing(long addressHigh, long addressLow, int backendPort) {
        for (int i = 0; i < port.length; i++) {
            if (low[i] == addressLow && high[i] == addressHigh && port[i] == backendPort) {
                return (flags[i] & (READY | SERVING | TERMINATING)) != 0 ? i : -1;
            }
        }
        return -1;
    }

    /** The endpoints as records (control plane: views and tests). */
    public List<ServiceEndpoint> endpoints() {
        List<ServiceEndpoint> out = new ArrayList<>(port.length);
        for (int i = 0; i < port.length; i++) {
            out.add(endpoint(i));
        }
        return out;
    }

    public ServiceEndpoint endpoint(int i) {
        byte f = flags[i];
        return new ServiceEndpoint(high[i], low[i], port[i], weight[i], (f & READY) != 0, (f & SERVING) != 0,
                (f & TERMINATING) != 0, (f & LOCAL) != 0);
    }

    /** Approximate bytes held (arrays and tables), for the service-tables benchmark. */
    public long bytes() {
        long b = 16L * 5 + port.length * (8L + 8 + 2 + 2 + 1);
        if (cluster != null) {
            b += cluster.slotBytes();
        }
        if (local != null && local != cluster) {
            b += local.slotBytes();
        }
        return b;
    }
}
