package io.podswitch.service;

import java.util.List;

/**
 * One service key — (ClusterIP, node port or external IP; port; protocol) — and everything the data path
 * needs to send a new connection to a backend. Immutable: the control thread builds a new entry for every
 * change (new {@link #generation()}) and publishes it whole through {@link ServiceTable}, so a worker never
 * sees a half-updated backend list or a table that disagrees with it.
 *
 * <p>The endpoints and Maglev tables live in a {@link ServiceBackends} shared by the keys of one service
 * port and family. Which table a packet uses depends on the key's kind and where the packet came from:
 * <pre>
 *   kind          from pods / the host (internal)          from an uplink (external)
 *   CLUSTER_IP    ITP Local ? local : cluster              the same
 *   NODE_PORT     cluster                                  ETP Local ? local : cluster
 *   EXTERNAL_IP   cluster (kube-proxy's short-circuit)     ETP Local ? local : cluster
 * </pre>
 *
 * <p>Backend indices (what the Maglev tables hold) are positions in the endpoint list; they are
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
    private final long affinityTimeoutNanos;
    private final int generation;
    private final ServiceBackends backends;
    private final MaglevTable internal;
    private final MaglevTable external;

    /**
     * @param id                   the slot in {@link ServiceTable} (also the per-service counter index)
     * @param name                 for counters and the API, e.g. {@code default/web:http:v4}
     * @param address              {@code {high, low}}: the VIP or external IP, or the unspecified address of
     *                             the family for {@link ServiceKind#NODE_PORT}
     * @param internalLocal        {@code internalTrafficPolicy: Local} (ClusterIP keys)
     * @param externalLocal        {@code externalTrafficPolicy: Local} (node-port and external-IP keys)
     * @param affinityTimeoutNanos {@code sessionAffinity: ClientIP} timeout, 0 for no affinity
     * @throws IllegalArgumentException bad protocol or port, endpoints of the other family, or a table the
     *                                  policy needs that {@code backends} was built without
     */
    public ServiceEntry(int id, String name, ServiceKind kind, int protocol, long addressHigh, long addressLow, int port,
                        ServiceBackends backends, boolean internalLocal, boolean externalLocal,
                        long affinityTimeoutNanos, int generation) {
        if (protocol != TCP && protocol != UDP) {
            throw new IllegalArgumentException("service protocol must be TCP (6) or UDP (17): " + protocol);
        }
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("service port out of range 1..65535: " + port);
        }
        if (affinityTimeoutNanos < 0) {
            throw new IllegalArgumentException("affinity timeout must not be negative: " + affinityTimeoutNanos);
        }
        boolean ipv4 = addressHigh == FlowHash.IPV4_MAPPED_HIGH && (addressLow >>> 32) == 0xffff;
        Boolean family = backends.ipv4();
        if (family != null && family != ipv4) {
            throw new IllegalArgumentException("endpoint family differs from the service address's: "
                    + backends.endpoint(0));
        }
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.protocol = protocol;
        this.addressHigh = addressHigh;
        this.addressLow = addressLow;
        this.port = port;
        this.affinityTimeoutNanos = affinityTimeoutNanos;
        this.generation = generation;
        this.backends = backends;
        if (kind == ServiceKind.CLUSTER_IP) {
            internal = required(internalLocal ? backends.local() : backends.cluster(), internalLocal);
            external = internal;
        } else {
            internal = required(backends.cluster(), false);
            external = required(externalLocal ? backends.local() : backends.cluster(), externalLocal);
        }
    }

    /**
     * A cluster-policy entry with both tables of a fixed size (tests and the old sizing): ClusterIP keys use
     * every endpoint; node-port keys use only local ones from outside when {@code externalLocal}.
     */
    public ServiceEntry(int id, String name, ServiceKind kind, int protocol, long addressHigh, long addressLow, int port,
                        List<ServiceEndpoint> endpoints, boolean externalLocal, long affinityTimeoutNanos,
                        int generation, int tableSize) {
        this(id, name, kind, protocol, addressHigh, addressLow, port,
                ServiceBackends.withTableSize(endpoints, true, externalLocal && kind != ServiceKind.CLUSTER_IP, tableSize),
                false, externalLocal, affinityTimeoutNanos, generation);
    }

    private MaglevTable required(MaglevTable table, boolean local) {
        if (table == null) {
            throw new IllegalArgumentException(name + ": the " + (local ? "local" : "cluster")
                    + " table was not built for this key's traffic policy");
        }
        return table;
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

    public long affinityTimeoutNanos() {
        return affinityTimeoutNanos;
    }

    public int generation() {
        return generation;
    }

    public ServiceBackends backends() {
        return backends;
    }

    public int backendCount() {
        return backends.count();
    }

    public long backendHigh(int i) {
        return backends.high(i);
    }

    public long backendLow(int i) {
        return backends.low(i);
    }

    public int backendPort(int i) {
        return backends.port(i);
    }

    public boolean backendLocal(int i) {
        return backends.local(i);
    }

    public List<ServiceEndpoint> endpoints() {
        return backends.endpoints();
    }

    /** The table for traffic from pods and the host (see the class comment). */
    public MaglevTable internalTable() {
        return internal;
    }

    /** The table for traffic that arrived on an uplink (see the class comment). */
    public MaglevTable externalTable() {
        return external;
    }

    /** Whether any endpoint on any node takes connections: an empty Local table then drops rather than rejects. */
    public boolean anyUsable() {
        return backends.anyUsable();
    }

    /** See {@link ServiceBackends#indexOfServing}. */
    public int indexOfServing(long high, long low, int backendPortNumber) {
        return backends.indexOfServing(high, low, backendPortNumber);
    }

    @Override
    public String toString() {
        return "service " + name + " (" + kind + ", protocol " + protocol + ", port " + port + ", "
            + backends.count() + " endpoints, generation " + generation + ")";
    }
}
