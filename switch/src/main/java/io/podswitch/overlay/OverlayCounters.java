package io.podswitch.overlay;

import io.podswitch.stats.CounterSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's overlay counters: packets and bytes (of the inner Ethernet frame) per peer and
 * direction, and drops per reason. Only the owning worker writes (plain read, opaque write, so the
 * stats thread reads whole values without a lock); the stats thread visits them under stable names:
 * {@code overlay.peer.<name>.{encap,decap}_{packets,bytes}}, {@code overlay.encap.drop.<reason>},
 * {@code overlay.decap.drop.<reason>}. Counters are kept by peer id: a peer id the control plane
 * reuses for another peer continues the old counts under the new name.
 */
public final class OverlayCounters implements CounterSource {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final PeerTable peers;
    private final long[] encapPackets;
    private final long[] encapBytes;
    private final long[] decapPackets;
    private final long[] decapBytes;
    private final long[] encapDrops = new long[EncapDrop.COUNT];
    private final long[] decapDrops = new long[DecapDrop.COUNT];

    public OverlayCounters(PeerTable peers) {
        this.peers = peers;
        int n = peers.capacity();
        encapPackets = new long[n];
        encapBytes = new long[n];
        decapPackets = new long[n];
        decapBytes = new long[n];
    }

    void encapsulated(int peer, int innerBytes) {
        add(encapPackets, peer, 1);
        add(encapBytes, peer, innerBytes);
    }

    void decapsulated(int peer, int innerBytes) {
        add(decapPackets, peer, 1);
        add(decapBytes, peer, innerBytes);
    }

    void encapDrop(int reason) {
        add(encapDrops, reason, 1);
    }

    void decapDrop(int reason) {
        add(decapDrops, reason, 1);
    }

    private static void add(long[] a, int i, long n) {
        LONGS.setOpaque(a, i, a[i] + n);
    }

    private static long read(long[] a, int i) {
        return (long) LONGS.getOpaque(a, i);
    }

    public long encapPackets(int peer) {
        return read(encapPackets, peer);
    }

    public long encapBytes(int peer) {
        return read(encapBytes, peer);
    }

    public long decapPackets(int peer) {
        return read(decapPackets, peer);
    }

    public long decapBytes(int peer) {
        return read(decapBytes, peer);
    }

    /**
     * Zeroes one peer's counters, for an id given to a new node. Control thread, and only for an id no worker
     * counts on any more (out of the peer table and past a grace period).
     */
    public void reset(int peer) {
        LONGS.setOpaque(encapPackets, peer, 0L);
        LONGS.setOpaque(encapBytes, peer, 0L);
        LONGS.setOpaque(decapPackets, peer, 0L);
        LONGS.setOpaque(decapBytes, peer, 0L);
    }

    /** Drops of an {@link EncapDrop} reason. */
    public long encapDrops(int reason) {
        return read(encapDrops, reason);
    }

    /** Drops of a {@link DecapDrop} reason. */
    public long decapDrops(int reason) {
        return read(decapDrops, reason);
    }

    @Override
    public void visit(CounterVisitor visitor) {
        for (int id = 0; id < peers.capacity(); id++) {
            TunnelPeer p = peers.get(id);
            if (p != null) {
                visitor.counter(p.encapPacketsName, read(encapPackets, id));
                visitor.counter(p.encapBytesName, read(encapBytes, id));
                visitor.counter(p.decapPacketsName, read(decapPackets, id));
                visitor.counter(p.decapBytesName, read(decapBytes, id));
            }
        }
        for (int r = 0; r < EncapDrop.COUNT; r++) {
            visitor.counter(EncapDrop.COUNTER_NAMES[r], read(encapDrops, r));
        }
        for (int r = 0; r < DecapDrop.COUNT; r++) {
            visitor.counter(DecapDrop.COUNTER_NAMES[r], read(decapDrops, r));
        }
    }
}
