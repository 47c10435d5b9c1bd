package io.podswitch.service;

/**
 * One backend of a service entry as the data path sees it: a 128-bit address (IPv4 in its IPv4-mapped
 * form, {@link FlowHash#ipv4MappedLow(int)}), the port to DNAT to, its EndpointSlice conditions (see
 * {@link MaglevBackend}) and whether it runs on this node.
 *
 * @param local the backend is a pod of this node (NodePort and external IPs: no SNAT needed; the
 *              {@code Local} traffic policies serve only these)
 */
public record ServiceEndpoint(long addressHigh, long addressLow, int port, int weight, boolean ready, boolean serving,
                              boolean terminating, boolean local) {
    public ServiceEndpoint {
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("endpoint port out of range 1..65535: " + port);
        }
        if (weight < 0 || weight > MaglevBackend.MAX_WEIGHT) {
            throw new IllegalArgumentException("endpoint weight out of range 0.." + MaglevBackend.MAX_WEIGHT + ": "
                + weight);
        }
    }

    /** With the cluster file's two flags ({@code ready} there is the serving condition, see {@link MaglevBackend}). */
    public ServiceEndpoint(long addressHigh, long addressLow, int port, int weight, boolean ready, boolean terminating,
                           boolean local) {
        this(addressHigh, addressLow, port, weight, ready && !terminating, ready, terminating, local);
    }

    /** An IPv4 endpoint with the cluster file's two flags. */
    public static ServiceEndpoint ipv4(int address, int port, int weight, boolean ready, boolean terminating,
                                       boolean local) {
        return new ServiceEndpoint(FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(address), port, weight, ready,
            terminating, local);
    }

    public boolean isIpv4() {
        return addressHigh == FlowHash.IPV4_MAPPED_HIGH && (addressLow >>> 32) == 0xffff;
    }

    /** An existing connection pinned to this endpoint may continue (any condition but "gone for good"). */
    public boolean mayKeepFlows() {
        return ready || serving || terminating;
    }
}
