package io.podswitch.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import org.agrona.collections.LongHashSet;

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
 * tables. The ports of a service served by the same pods share their tables (built once): Maglev hashes
 * addresses, not ports.
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
    private final boolean distinctAddresses;

    /**
     * @param clusterTable build the table over every endpoint
     * @param localTable   build the table over this node's endpoints
     * @param fixedSize    a table size for both tables (a prime; tests), or 0 to size each by its endpoints
     */
    private ServiceBackends(List<ServiceEndpoint> endpoints, boolean clusterTable, boolean localTable, int fixedSize,
                            Collection<ServiceBackends> siblings) {
        int n = endpoints.size();
        if (n > 0xffff) {
            throw new IllegalArgumentException("too many endpoints (max 65535): " + n);
        }
        high = new long[n];
        low = new long[n];
        port = new char[n];
        weight = new char[n];
        flags = new byte[n];
        int[] ports = new int[n];
        int[] weights = new int[n];
        byte[] role = new byte[n];
        byte[] localRole = new byte[n];
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
            ports[i] = e.port();
            weights[i] = e.weight();
            flags[i] = flagsOf(e);
            // kube-proxy's CategorizeEndpoints: ready ones, else serving-and-terminating ones.
            boolean takes = e.weight() > 0;
            role[i] = takes && e.ready() ? MaglevTable.PRIMARY
                    : takes && e.serving() && e.terminating() ? MaglevTable.FALLBACK : 0;
            usable |= role[i] != 0;
            if (e.local()) {
                localRole[i] = role[i];
                localCount++;
            }
        }
        anyUsable = usable;
        distinctAddresses = distinct(high, low);
        ServiceBackends sibling = null;
        for (ServiceBackends candidate : siblings) {
            if (candidate.sameTablesAs(this)) {
                sibling = candidate;
                break;
            }
        }
        boolean share = sibling != null;
        // Both tables index the same list: a remote endpoint simply has no role in the local one.
        cluster = !clusterTable ? null : share && sibling.cluster != null ? sibling.cluster
                : MaglevTable.build(high, low, ports, weights, role, fixedSize > 0 ? fixedSize : MaglevTable.sizeFor(n));
        local = !localTable ? null : share && sibling.local != null ? sibling.local
                : MaglevTable.build(high, low, ports, weights, localRole,
                        fixedSize > 0 ? fixedSize : MaglevTable.sizeFor(localCount));
    }

    /**
     * Whether the tables built for {@code other}'s endpoints would equal this one's: the same addresses at the
     * same positions, with the same weights and conditions, no address twice — ports may differ, as they do
     * between a service's ports served by the same pods (Maglev hashes the address; the canonical turn order
     * looks at the port only to order two endpoints of one address).
     */
    private boolean sameTablesAs(ServiceBackends other) {
        return distinctAddresses && other.distinctAddresses && Arrays.equals(high, other.high)
                && Arrays.equals(low, other.low) && Arrays.equals(weight, other.weight)
                && Arrays.equals(flags, other.flags);
    }

    private static boolean distinct(long[] high, long[] low) {
        if (high.length < 2) {
            return true;
        }
        LongHashSet seen = new LongHashSet(high.length * 2);
        for (int i = 0; i < high.length; i++) {
            // A collision of this 64-bit mix only makes two distinct addresses look equal: no sharing then.
            if (!seen.add(FlowHash.mix(high[i] ^ FlowHash.mix(low[i])))) {
                return false;
            }
        }
        return true;
    }

    /** Tables sized by their endpoints. */
    public static ServiceBackends of(List<ServiceEndpoint> endpoints, boolean clusterTable, boolean localTable) {
        return new ServiceBackends(endpoints, clusterTable, localTable, 0, List.of());
    }

    /**
     * Tables sized by their endpoints, taken from one of {@code siblings} (the other ports of the same service)
     * when they would be the same — the same pods serve both ports — instead of built again.
     */
    public static ServiceBackends of(List<ServiceEndpoint> endpoints, boolean clusterTable, boolean localTable,
                                     Collection<ServiceBackends> siblings) {
        return new ServiceBackends(endpoints, clusterTable, localTable, 0, siblings);
    }

    /** Both tables of a fixed size (a prime): tests. */
    public static ServiceBackends withTableSize(List<ServiceEndpoint> endpoints, boolean clusterTable,
                                                boolean localTable, int tableSize) {
        return new ServiceBackends(endpoints, clusterTable, localTable, tableSize, List.of());
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

    /** Whether this list is exactly {@code endpoints}, index by index (every field). Control thread. */
    public boolean holds(List<ServiceEndpoint> endpoints) {
        if (endpoints.size() != port.length) {
            return false;
        }
        for (int i = 0; i < port.length; i++) {
            ServiceEndpoint e = endpoints.get(i);
            if (e.addressLow() != low[i] || e.addressHigh() != high[i] || e.port() != port[i] || e.weight() != weight[i]
                    || flagsOf(e) != flags[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte flagsOf(ServiceEndpoint e) {
        return (byte) ((e.ready() ? READY : 0) | (e.serving() ? SERVING : 0) | (e.terminating() ? TERMINATING : 0)
                | (e.local() ? LOCAL : 0));
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
