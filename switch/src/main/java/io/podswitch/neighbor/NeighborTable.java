package io.podswitch.neighbor;

/**
 * The neighbour (ARP and ND) caches of one worker: IPv4 and IPv6 address → MAC, per port.
 *
 * <p>Ownership choice: one table per worker, read and written only by that worker's thread, as VPP
 * keeps per-thread adjacency state. A worker learns from the ARP replies and neighbour
 * advertisements it receives and resolves the next hops its own packets need; no locks and no
 * cross-core cache-line traffic. The cost: a neighbour is resolved once per worker that sends to it,
 * and a reply that the NIC steers to another worker's queue is learned by that worker only (the
 * first worker retries after its retransmit interval). Static entries from the control plane reach
 * every worker's table through the worker's command queue ({@link #putStatic4}/{@link #putStatic6}
 * are then called on the worker thread).
 *
 * <p>Aging: a learned entry lives {@code lifetimeNanos} after its last refresh. An entry the worker
 * still forwards to is re-confirmed by a unicast probe once it is older than
 * {@link #refreshAgeNanos()}; an unused one simply expires.
 */
public final class NeighborTable {
    public static final long DEFAULT_LIFETIME_NANOS = 300_000_000_000L;

    private final NeighborCache ip4;
    private final NeighborCache ip6;
    private final long lifetimeNanos;

    public NeighborTable(int capacityPerFamily) {
        this(capacityPerFamily, DEFAULT_LIFETIME_NANOS);
    }

    /** @param lifetimeNanos how long a learned entry lives without being refreshed */
    public NeighborTable(int capacityPerFamily, long lifetimeNanos) {
        if (lifetimeNanos <= 0) {
            throw new IllegalArgumentException("neighbour lifetime must be positive: " + lifetimeNanos);
        }
        this.ip4 = new NeighborCache(capacityPerFamily);
        this.ip6 = new NeighborCache(capacityPerFamily);
        this.lifetimeNanos = lifetimeNanos;
    }

    public NeighborCache ip4() {
        return ip4;
    }

    public NeighborCache ip6() {
        return ip6;
    }

    public long lifetimeNanos() {
        return lifetimeNanos;
    }

    /**
     * Age after which a learned entry that is still in use is re-confirmed with a unicast probe
     * (ARP request / NS to the known MAC), so that busy neighbours never expire and traffic never
     * has to wait for a fresh resolution: three quarters of the lifetime.
     */
    public long refreshAgeNanos() {
        return lifetimeNanos - lifetimeNanos / 4;
    }

    /** The slot of an IPv4 neighbour on a port, or -1. */
    public int find4(int port, int address) {
        return ip4.find(port, 0, address & 0xffff_ffffL);
    }

    public boolean learn4(int port, int address, long mac, long nowNanos) {
        return ip4.learn(port, 0, address & 0xffff_ffffL, mac, nowNanos);
    }

    public boolean putStatic4(int port, int address, long mac) {
        return ip4.putStatic(port, 0, address & 0xffff_ffffL, mac);
    }

    public boolean putStatic6(int port, long high, long low, long mac) {
        return ip6.putStatic(port, high, low, mac);
    }

    /** Ages out learned entries of both families. @return entries removed */
    public int expire(long nowNanos) {
        return ip4.expire(nowNanos, lifetimeNanos) + ip6.expire(nowNanos, lifetimeNanos);
    }
}
