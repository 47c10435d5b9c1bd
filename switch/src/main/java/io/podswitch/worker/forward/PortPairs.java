package io.podswitch.worker.forward;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * testpmd's "paired" port topology plus the per-output TX buffers both forwarding modes share:
 * ports are taken two by two (0↔1, 2↔3, ...), a packet received on one leaves through its peer.
 * Packets are buffered per output port and sent in bursts: when a buffer fills, and at the end of
 * every duty cycle ({@link #flush}). One instance per worker; {@code txQueue} is that worker's queue.
 */
final class PortPairs {
    private static final VarHandle LONG = MethodHandles.arrayElementVarHandle(long[].class);

    private final Port[] byId;
    private final int[] peerById;
    private final PacketVector[] txById;
    private final int[] active;
    private final int txQueue;
    private final long[] unknownPortDrops = new long[1];
    /** Packets sent by full buffers since the last flush, so flush can report the cycle's total. */
    private int sentEarly;

    PortPairs(Port[] ports, int txQueue, int burst) {
        if (ports.length == 0 || ports.length % 2 != 0) {
            throw new IllegalArgumentException("forwarding needs an even number of ports (pairs), got " + ports.length);
        }
        int maxId = 0;
        for (Port p : ports) {
            if (p.id() < 0) {
                throw new IllegalArgumentException("port " + p.name() + " has a negative id " + p.id());
            }
            if (txQueue < 0 || txQueue >= p.queueCount()) {
                throw new IllegalArgumentException("port " + p.name() + " has no TX queue " + txQueue);
            }
            maxId = Math.max(maxId, p.id());
        }
        this.byId = new Port[maxId + 1];
        this.peerById = new int[maxId + 1];
        this.txById = new PacketVector[maxId + 1];
        java.util.Arrays.fill(peerById, -1);
        for (int i = 0; i < ports.length; i += 2) {
            link(ports[i], ports[i + 1], burst);
        }
        this.active = new int[ports.length];
        for (int i = 0; i < ports.length; i++) {
            active[i] = ports[i].id();
        }
        this.txQueue = txQueue;
    }

    private void link(Port a, Port b, int burst) {
        if (byId[a.id()] != null || byId[b.id()] != null || a.id() == b.id()) {
            throw new IllegalArgumentException("port ids must be distinct: " + a.name() + "=" + a.id() + ", " + b.name() + "=" + b.id());
        }
        byId[a.id()] = a;
        byId[b.id()] = b;
        peerById[a.id()] = b.id();
        peerById[b.id()] = a.id();
        txById[a.id()] = new PacketVector(burst);
        txById[b.id()] = new PacketVector(burst);
    }

    /** The output port id for a packet received on {@code inPort}, or -1 when that port is not paired. */
    int peer(int inPort) {
        return inPort >= 0 && inPort < peerById.length ? peerById[inPort] : -1;
    }

    /** Buffers {@code frame} for {@code outPort}, sending the buffer when it fills. */
    void enqueue(int outPort, int frame, FrameCache cache) {
        PacketVector tx = txById[outPort];
        tx.add(frame);
        if (tx.isFull()) {
            sentEarly += byId[outPort].transmit(txQueue, tx, cache);
        }
    }

    /** Frees a packet from an unpaired port and counts it. */
    void dropUnknown(int frame, FrameCache cache) {
        cache.free(frame);
        LONG.setRelease(unknownPortDrops, 0, (long) LONG.get(unknownPortDrops, 0) + 1);
    }

    long unknownPortDrops() {
        return (long) LONG.getAcquire(unknownPortDrops, 0);
    }

    /** Sends every non-empty buffer. @return packets the ports accepted this cycle (including early sends) */
    int flush(FrameCache cache) {
        int sent = sentEarly;
        sentEarly = 0;
        for (int id : active) {
            PacketVector tx = txById[id];
            if (!tx.isEmpty()) {
                sent += byId[id].transmit(txQueue, tx, cache);
            }
        }
        return sent;
    }
}
