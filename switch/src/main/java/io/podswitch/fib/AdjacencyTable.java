package io.podswitch.fib;

/**
 * Where a route sends a packet. A FIB maps a prefix to an adjacency index; the adjacency says what
 * to do with the packet: drop it, deliver it to the switch itself, or send it out of a port to a
 * next hop (whose MAC comes from the neighbour table, or is fixed in the adjacency for pods whose
 * MAC the switch assigned).
 *
 * <p>Struct-of-arrays, one writer (the control thread). An adjacency is immutable once a route
 * points at it: the writer fills every field, then publishes the index through the FIB with a
 * release store, and readers that found the index through the FIB's acquire load see the fields.
 * A changed next hop is a new adjacency; a released index is reused only after every worker has
 * passed a quiescent point (the caller's QSBR), never while a reader may still hold it.
 */
public final class AdjacencyTable {
    /** Drop; the graph answers with ICMP destination unreachable where appropriate. */
    public static final byte DROP = 0;
    /** An address of the switch itself (gateway addresses): punt to local handling (ICMP echo...). */
    public static final byte LOCAL = 1;
    /** A connected network on {@link #port}: the next hop is the packet's own destination (glean). */
    public static final byte CONNECTED = 2;
    /** Via a gateway: the next hop is {@link #nextHop4}/{@link #nextHop6High}..., resolved by ARP/ND. */
    public static final byte VIA = 3;
    /** Fully resolved: send out of {@link #port} with destination MAC {@link #mac}, no lookup needed. */
    public static final byte REWRITE = 4;
    /**
     * To a pod on another node: encapsulate for tunnel peer {@link #peer} (an id in the overlay's
     * PeerTable) and send out of the uplink {@link #port}. The MTU is the inner packet's limit: the
     * uplink MTU minus the 50 (outer IPv4) or 70 (outer IPv6) bytes of tunnel headers.
     */
    public static final byte ENCAP = 5;

    private final byte[] kind;
    private final int[] port;
    private final long[] mac;
    private final int[] nextHop4;
    private final long[] nextHop6High;
    private final long[] nextHop6Low;
    private final int[] mtu;
    private final int[] peer;
    private final int[] freeList;
    private int freeCount;
    private int used;

    public AdjacencyTable(int capacity) {
        kind = new byte[capacity];
        port = new int[capacity];
        mac = new long[capacity];
        nextHop4 = new int[capacity];
        nextHop6High = new long[capacity];
        nextHop6Low = new long[capacity];
        mtu = new int[capacity];
        peer = new int[capacity];
        freeList = new int[capacity];
    }

    public int capacity() {
        return kind.length;
    }

    private int claim() {
        if (freeCount > 0) {
            return freeList[--freeCount];
        }
        if (used == kind.length) {
            throw new IllegalStateException("adjacency table full (" + kind.length + " entries)");
        }
        return used++;
    }

    public int addDrop() {
        int i = claim();
        fill(i, DROP, -1, 0L, 0, 0L, 0L, 0);
        return i;
    }

    public int addLocal() {
        int i = claim();
        fill(i, LOCAL, -1, 0L, 0, 0L, 0L, 0);
        return i;
    }

    public int addConnected(int egressPort, int mtuBytes) {
        int i = claim();
        fill(i, CONNECTED, egressPort, 0L, 0, 0L, 0L, mtuBytes);
        return i;
    }

    public int addVia4(int egressPort, int gateway, int mtuBytes) {
        int i = claim();
        fill(i, VIA, egressPort, 0L, gateway, 0L, 0L, mtuBytes);
        return i;
    }

    public int addVia6(int egressPort, long gatewayHigh, long gatewayLow, int mtuBytes) {
        int i = claim();
        fill(i, VIA, egressPort, 0L, 0, gatewayHigh, gatewayLow, mtuBytes);
        return i;
    }

    public int addRewrite(int egressPort, long destinationMac, int mtuBytes) {
        int i = claim();
        fill(i, REWRITE, egressPort, destinationMac, 0, 0L, 0L, mtuBytes);
        return i;
    }

    /** A route to a remote pod network over tunnel peer {@code peerId}; {@code mtuBytes} already excludes the tunnel overhead. */
    public int addEncap(int uplinkPort, int peerId, int mtuBytes) {
        if (peerId < 0) {
            throw new IllegalArgumentException("negative tunnel peer id: " + peerId);
        }
        int i = claim();
        fill(i, ENCAP, uplinkPort, 0L, 0, 0L, 0L, mtuBytes);
        peer[i] = peerId;
        return i;
    }

    private void fill(int i, byte k, int p, long m, int nh4, long nh6h, long nh6l, int mtuBytes) {
        kind[i] = k;
        port[i] = p;
        mac[i] = m;
        nextHop4[i] = nh4;
        nextHop6High[i] = nh6h;
        nextHop6Low[i] = nh6l;
        mtu[i] = mtuBytes;
        peer[i] = -1;
    }

    /** Returns an index to the free list; the caller guarantees no reader can still hold it (QSBR). */
    public void release(int index) {
        freeList[freeCount++] = index;
    }

    public byte kind(int i) {
        return kind[i];
    }

    public int port(int i) {
        return port[i];
    }

    public long mac(int i) {
        return mac[i];
    }

    public int nextHop4(int i) {
        return nextHop4[i];
    }

    public long nextHop6High(int i) {
        return nextHop6High[i];
    }

    public long nextHop6Low(int i) {
        return nextHop6Low[i];
    }

    public int mtu(int i) {
        return mtu[i];
    }

    /** The tunnel peer id of an {@link #ENCAP} adjacency, -1 for every other kind. */
    public int peer(int i) {
        return peer[i];
    }
}
