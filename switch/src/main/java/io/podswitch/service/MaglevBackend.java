package io.podswitch.service;

/**
 * One backend as the Maglev table sees it. The address is 128 bits (IPv4 in its IPv4-mapped form, see
 * {@link FlowHash#ipv4MappedLow(int)}); the address is the stable key from which every node derives the same
 * permutation, the port orders two backends of one address.
 *
 * <p>The three conditions are an EndpointSlice endpoint's, with kube-proxy's meaning (see
 * {@link MaglevTable}): a <em>ready</em> backend takes new connections; when a service has none, backends
 * that are <em>serving</em> and <em>terminating</em> do (a rolling update keeps answering while old pods
 * still serve).
 *
 * @param weight relative share of the table, 1..{@link #MAX_WEIGHT}; 0 keeps the backend out of it
 */
public record MaglevBackend(long addressHigh, long addressLow, int port, int weight, boolean ready, boolean serving,
                            boolean terminating) {
    public static final int MAX_WEIGHT = 256;

    public MaglevBackend {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("backend port out of range 0..65535: " + port);
        }
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("backend weight out of range 0.." + MAX_WEIGHT + ": " + weight);
        }
    }

    /**
     * The cluster file's two flags: {@code ready} there is the serving condition, so a ready terminating
     * backend is serving-and-terminating (a fallback), a ready one that is not terminating is ready.
     */
    public MaglevBackend(long addressHigh, long addressLow, int port, int weight, boolean ready, boolean terminating) {
        this(addressHigh, addressLow, port, weight, ready && !terminating, ready, terminating);
    }

    public static MaglevBackend ipv4(int address, int port, int weight, boolean ready, boolean terminating) {
        return new MaglevBackend(FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(address), port, weight, ready, terminating);
    }

    /** Takes new connections while the service has any ready backend. */
    boolean primary() {
        return weight > 0 && ready;
    }

    /** Takes new connections only when the service has no ready backend. */
    boolean fallback() {
        return weight > 0 && !ready && serving && terminating;
    }

    /** First independent hash of the key: decides where the backend's permutation starts. */
    long offsetHash() {
        return offsetHash(addressHigh, addressLow);
    }

    /** Second independent hash (different seed, different order): decides the permutation's stride. */
    long skipHash() {
        return skipHash(addressHigh, addressLow);
    }

    /** Third independent hash: where the stride starts in the shared bijection (see {@link MaglevTable}). */
    long startHash() {
        return startHash(addressHigh, addressLow);
    }

    // The permutation depends on the address only: a service's ports served by the same pods (different
    // target ports) then get identical tables, which ServiceBackends shares instead of building twice. Two
    // endpoints of one address in one list share a permutation and take turns on it: still a full table.

    static long offsetHash(long high, long low) {
        return FlowHash.mix(FlowHash.mix(high ^ 0x6A09_E667_F3BC_C908L) ^ low);
    }

    static long skipHash(long high, long low) {
        return FlowHash.mix(FlowHash.mix(low ^ 0xBB67_AE85_84CA_A73BL) ^ high);
    }

    static long startHash(long high, long low) {
        return FlowHash.mix(offsetHash(high, low) ^ 0x3C6E_F372_FE94_F82BL);
    }
}
