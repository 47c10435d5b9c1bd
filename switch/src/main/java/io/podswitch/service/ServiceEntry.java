package io.podswitch.service;

import java.util.ArrayList;
import java.util.List;

/**
 * One service key — (VIP or node port, port, protocol) — and everything the data path needs to send a new
 * connection to a backend. Immutable: the control thread builds a new entry for every change (new
 * {@link #generation()}) and publishes it whole through {@link ServiceTable}, so a worker never sees a
 * half-updated backend list or a table that disagrees with it.
 *
 * <p>Backend indices (what the Maglev tables hold) are positions in this entry's endpoint list; they are
 * meaningless across generations, which is why conntrack pins the backend's address and port, not its
 * index, and session affinity records the generation with the index.
 */
public final class ServiceEntry {
    /** Protocol numbers the table accepts (IANA): TCP and UDP. */
    public static final int TCP = 6;
    public static final int UDP = 17;

    private final int id;
    private final String name;
    private final ServiceKind kind;
    private final int protocol;
    private final long addressHigh;
    private final long addressLow;
    private final int port;
    private final boolean externalLocal;
    private final long affinityTimeoutNanos;
    private final int generation;
    private final long[] backendHigh;
    private final long[] backendLow;
    private final int[] backendPort;
    private final boolean[] backendLocal;
    private final List<ServiceEndpoint> endpoints;
    private final MaglevTable maglev;
    private final MaglevTable localMaglev;

    /**
     * @param id                   the slot in {@link ServiceTable} (also the per-service counter index)
     * @param name                 for counters and the API, e.g. {@code default/web:http}
     * @param address              {@code {high, low}}: the VIP, or the unspecified address of the family for
     *                             {@link ServiceKind#NODE_PORT}
     * @param externalLocal        {@code externalTrafficPolicy: Local}: node-port traffic keeps the client
     *                             address and goes only to local endpoints
     * @param affinityTimeoutNanos {@code sessionAffinity: ClientIP} timeout, 0 for no affinity
     * @param tableSize            Maglev table size (a prime; {@link MaglevTable#DEFAULT_SIZE} in production)
     */
    public ServiceEntry(int id, String name, ServiceKind kind, int protocol, long addressHigh, long addressLow, int port,
                        List<ServiceEndpoint> endpoints, boolean externalLocal, long affinityTimeoutNanos,
                        int generation, int tableSize) {
        if (protocol != TCP && protocol != UDP) {
            throw new IllegalArgumentException("service protocol must be TCP (6) or UDP (17): " + protocol);
        }
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("service port out of range 1..65535: " + port);
        }
        if (affinityTimeoutNanos < 0) {
            throw new IllegalArgumentException("affinity timeout must not be negative: " + affinityTimeoutNanos);
        }
        if (endpoints.size() > 0xffff) {
            throw new IllegalArgumentException("too many endpoints (max 65535): " + endpoints.size());
        }
        boolean ipv4 = addressHigh == FlowHash.IPV4_MAPPED_HIGH && (addressLow >>> 32) == 0xffff;
        for (ServiceEndpoint e : endpoints) {
            if (e.isIpv4() != ipv4) {
                throw new IllegalArgumentException("endpoint family differs from the service address's: " + e);
            }
        }
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.protocol = protocol;
        this.addressHigh = addressHigh;
        this.addressLow = addressLow;
        this.port = port;
        this.externalLocal = externalLocal;
        this.affinityTimeoutNanos = affinityTimeoutNanos;
        this.generation = generation;
        this.endpoints = List.copyOf(endpoints);
        int n = endpoints.size();
        backendHigh = new long[n];
        backendLow = new long[n];
        backendPort = new int[n];
        backendLocal = new boolean[n];
        List<MaglevBackend> all = new ArrayList<>(n);
        List<MaglevBackend> local = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ServiceEndpoint e = endpoints.get(i);
            backendHigh[i] = e.addressHigh();
            backendLow[i] = e.addressLow();
            backendPort[i] = e.port();
            backendLocal[i] = e.local();
            MaglevBackend b = e.toMaglev();
            all.add(b);
            // Keep indices aligned with the endpoint list: a remote endpoint becomes weight 0 (excluded).
            local.add(e.local() ? b : new MaglevBackend(b.addressHigh(), b.addressLow(), b.port(), 0, false, false));
        }
        this.maglev = MaglevTable.build(all, tableSize);
        this.localMaglev = externalLocal ? MaglevTable.build(local, tableSize) : maglev;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public ServiceKind kind() {
        return kind;
    }

    public int protocol() {
        return protocol;
    }

    public long addressHigh() {
        return addressHigh;
    }

    public long addressLow() {
        return addressLow;
    }

    public boolean isIpv4() {
        return addressHigh == FlowHash.IPV4_MAPPED_HIGH && (addressLow >>> 32) == 0xffff;
    }

    public int port() {
        return port;
    }

    public boolean externalLocal() {
        return externalLocal;
    }

    public long affinityTimeoutNanos() {
        return affinityTimeoutNanos;
    }

    public int generation() {
        return generation;
    }

    public int backendCount() {
        return backendPort.length;
    }

    public long backendHigh(int i) {
        return backendHigh[i];
    }

    public long backendLow(int i) {
        return backendLow[i];
    }

    public int backendPort(int i) {
        return backendPort[i];
    }

    public boolean backendLocal(int i) {
        return backendLocal[i];
    }

    public List<ServiceEndpoint> endpoints() {
        return endpoints;
    }

    /** The Maglev table over every eligible endpoint. */
    public MaglevTable maglev() {
        return maglev;
    }

    /** The table for node-port traffic under {@code externalTrafficPolicy: Local} (local endpoints only). */
    public MaglevTable localMaglev() {
        return localMaglev;
    }

    /**
     * The index of the endpoint with this address and port that may still carry an existing flow (ready,
     * or terminating), or -1. Linear, but only called when a pinned flow meets a newer generation.
     */
    public int indexOfServing(long high, long low, int backendPortNumber) {
        for (int i = 0; i < backendPort.length; i++) {
            if (backendLow[i] == low && backendHigh[i] == high && backendPort[i] == backendPortNumber) {
                ServiceEndpoint e = endpoints.get(i);
                return e.ready() || e.terminating() ? i : -1;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "service " + name + " (" + kind + ", protocol " + protocol + ", port " + port + ", "
            + backendPort.length + " endpoints, generation " + generation + ")";
    }
}
