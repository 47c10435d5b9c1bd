package io.podswitch.overlay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tunnel peers by id, and by outer remote address for decapsulation. One writer (the control thread)
 * adds and removes peers while workers read: a slot holds an immutable {@link TunnelPeer} published
 * with a release store and read with an acquire load, so a worker sees no peer or a complete one.
 * The address index is an immutable open-addressing table rebuilt on every change and published the
 * same way; a worker holding an old index may map an address to an id whose peer changed, which the
 * address comparison after the lookup catches (the frame then counts as from an unknown peer).
 */
public final class PeerTable {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(TunnelPeer[].class);
    private static final VarHandle INDEX;

    static {
        try {
            INDEX = MethodHandles.lookup().findVarHandle(PeerTable.class, "index", int[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TunnelPeer[] byId;
    /** Open addressing, linear probing: peer id + 1 per slot, 0 = empty; length a power of two. */
    @SuppressWarnings("unused")
    private int[] index = new int[16];

    /** An empty table for peer ids in [0, capacity). */
    public PeerTable(int capacity) {
        if (capacity < 1 || capacity > 65_536) {
            throw new IllegalArgumentException("peer table capacity out of range [1, 65536]: " + capacity);
        }
        byId = new TunnelPeer[capacity];
    }

    /**
     * Publishes (or replaces) the peer of its id. Control thread only. Two peers with the same outer
     * remote address cannot coexist: decapsulation could not tell their frames apart.
     */
    public void put(TunnelPeer peer) {
        putAll(List.of(peer));
    }

    /**
     * Publishes (or replaces) several peers with one rebuild of the address index: a cluster's initial sync
     * publishes thousands, and a rebuild per peer would make that quadratic. Checked first (ids in range, no
     * two peers with one remote address), so a refusal publishes none of them. Control thread only.
     */
    public void putAll(Collection<TunnelPeer> peers) {
        Set<Integer> replaced = new HashSet<>();
        for (TunnelPeer peer : peers) {
            replaced.add(peer.id());
        }
        Map<Long, TunnelPeer> remotes = new HashMap<>();
        for (TunnelPeer peer : peers) {
            int id = peer.id();
            if (id < 0 || id >= byId.length) {
                throw new IllegalArgumentException("peer id " + id + " outside [0, " + byId.length + ")");
            }
            TunnelPeer holder = peer.isIp6() ? findIp6(peer.remote6High(), peer.remote6Low()) : findIp4(peer.remote4());
            if (holder != null && holder.id() != id && !replaced.contains(holder.id())) {
                throw new IllegalArgumentException(peer + " has the same remote address as " + holder);
            }
            TunnelPeer twin = remotes.put(peer.isIp6() ? peer.remote6High() * 31 + peer.remote6Low() : peer.remote4(), peer);
            if (twin != null && sameRemote(twin, peer)) {
                throw new IllegalArgumentException(peer + " has the same remote address as " + twin);
            }
        }
        for (TunnelPeer peer : peers) {
            SLOTS.setRelease(byId, peer.id(), peer);
        }
        rebuildIndex();
    }

    /** Unpublishes a peer. Control thread only. */
    public void remove(int id) {
        removeAll(List.of(id));
    }

    /** Unpublishes several peers with one rebuild of the address index. Control thread only. */
    public void removeAll(Collection<Integer> ids) {
        for (int id : ids) {
            if (id < 0 || id >= byId.length) {
                throw new IllegalArgumentException("peer id " + id + " outside [0, " + byId.length + ")");
            }
        }
        for (int id : ids) {
            SLOTS.setRelease(byId, id, (TunnelPeer) null);
        }
        rebuildIndex();
    }

    /** The peer of an id, or null. */
    public TunnelPeer get(int id) {
        return id >= 0 && id < byId.length ? (TunnelPeer) SLOTS.getAcquire(byId, id) : null;
    }

    /** The number of id slots (ids are below it). */
    public int capacity() {
        return byId.length;
    }

    /** The peer whose outer IPv4 remote address this is, or null. */
    public TunnelPeer findIp4(int remote) {
        int[] slots = (int[]) INDEX.getAcquire(this);
        int mask = slots.length - 1;
        for (int i = hash4(remote) & mask; ; i = (i + 1) & mask) {
            int entry = slots[i];
            if (entry == 0) {
                return null;
            }
            TunnelPeer p = get(entry - 1);
            if (p != null && !p.isIp6() && p.remote4() == remote) {
                return p;
            }
        }
    }

    /** The peer whose outer IPv6 remote address this is, or null. */
    public TunnelPeer findIp6(long high, long low) {
        int[] slots = (int[]) INDEX.getAcquire(this);
        int mask = slots.length - 1;
        for (int i = hash6(high, low) & mask; ; i = (i + 1) & mask) {
            int entry = slots[i];
            if (entry == 0) {
                return null;
            }
            TunnelPeer p = get(entry - 1);
            if (p != null && p.isIp6() && p.remote6High() == high && p.remote6Low() == low) {
                return p;
            }
        }
    }

    // Load factor at most 1/2, so every probe sequence reaches an empty slot.
    private void rebuildIndex() {
        int count = 0;
        for (TunnelPeer p : byId) {
            if (p != null) {
                count++;
            }
        }
        int size = Math.max(16, Integer.highestOneBit(Math.max(1, count) * 2) << 1);
        int[] slots = new int[size];
        int mask = size - 1;
        for (TunnelPeer p : byId) {
            if (p == null) {
                continue;
            }
            int i = (p.isIp6() ? hash6(p.remote6High(), p.remote6Low()) : hash4(p.remote4())) & mask;
            while (slots[i] != 0) {
                i = (i + 1) & mask;
            }
            slots[i] = p.id() + 1;
        }
        INDEX.setRelease(this, slots);
    }

    private static boolean sameRemote(TunnelPeer a, TunnelPeer b) {
        return a.isIp6() == b.isIp6() && (a.isIp6()
                ? a.remote6High() == b.remote6High() && a.remote6Low() == b.remote6Low()
                : a.remote4() == b.remote4());
    }

    private static int hash4(int address) {
        return (int) (mix(address) >>> 32);
    }

    private static int hash6(long high, long low) {
        return (int) (mix(high ^ mix(low)) >>> 32);
    }

    /** The murmur3 64-bit finaliser. */
    static long mix(long v) {
        long h = v;
        h ^= h >>> 33;
        h *= 0xff51_afd7_ed55_8ccdL;
        h ^= h >>> 33;
        h *= 0xc4ce_b9fe_1a85_ec53L;
        h ^= h >>> 33;
        return h;
    }
}
