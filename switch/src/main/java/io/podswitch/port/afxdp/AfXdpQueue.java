package io.podswitch.port.afxdp;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.XskConsumerRing;
import io.podswitch.nativeio.XskProducerRing;
import io.podswitch.nativeio.XskSocket;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;

/**
 * The data path of one AF_XDP socket (one interface queue), driven by the single worker that owns
 * the queue. Frames move between the worker's {@link FrameCache} and the kernel:
 * <pre>
 *   cache ──allocate──► fill ring ──kernel receives──► RX ring ──receive()──► PacketVector
 *   PacketVector ──transmit()──► TX ring ──kernel sends──► completion ring ──► cache
 * </pre>
 * Nothing here allocates, locks, logs or throws; every packet not sent is counted by reason.
 */
final class AfXdpQueue {
    /** Ethernet header plus one VLAN tag on top of the MTU. */
    private static final int MAX_L2_OVERHEAD = 18;
    private static final int ETHERNET_HEADER = 14;

    private final XskSocket socket;
    private final XskProducerRing fill;
    private final XskConsumerRing completion;
    private final XskConsumerRing rx;
    private final XskProducerRing tx;
    private final FrameSlab slab;
    private final int portId;
    private final int burst;
    private final int maxFrameLength;
    private final SimplePortCounters counters = new SimplePortCounters();
    private final KernelOwnedFrames lent;
    /** Frames taken from the cache before they are placed on the fill ring. */
    private final int[] refill;
    private final int kickLimit;
    private long kickErrors;

    AfXdpQueue(XskSocket socket, FrameSlab slab, int portId, int burst, int mtu) {
        this.socket = socket;
        this.fill = socket.fillRing();
        this.completion = socket.completionRing();
        this.rx = socket.rxRing();
        this.tx = socket.txRing();
        this.slab = slab;
        this.portId = portId;
        this.burst = burst;
        this.maxFrameLength = mtu + MAX_L2_OVERHEAD;
        this.lent = new KernelOwnedFrames(slab.frameCount());
        this.refill = new int[fill.size()];
        // Copy mode sends at most 32 descriptors per sendto(); enough kicks to drain a full TX ring.
        this.kickLimit = tx.size() / 32 + 1;
    }

    XskSocket socket() {
        return socket;
    }

    SimplePortCounters counters() {
        return counters;
    }

    long kickErrors() {
        return kickErrors;
    }

    int lentFrames() {
        return lent.count();
    }

    boolean isLent(int frame) {
        return lent.isLent(frame);
    }

    int receive(PacketVector into, FrameCache cache) {
        reapCompletions(cache);
        int n = rx.peek(Math.min(into.free(), burst));
        if (n > 0) {
            int start = rx.peekedStart();
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                long address = rx.address(start + i);
                int length = rx.length(start + i);
                int frame = slab.frameOf(address);
                slab.setData(frame, (int) (address - slab.frameStart(frame)), length);
                slab.setInPort(frame, portId);
                lent.takeBack(frame);
                into.add(frame);
                bytes += length;
            }
            rx.release();
            counters.received(n, bytes);
        }
        stockFillRing(cache);
        if (tx.pending() > 0) {
            kick(); // leftovers from a transmit whose kicks ran into EAGAIN
        }
        socket.wakeReceive();
        return n;
    }

    int transmit(PacketVector from, FrameCache cache) {
        reapCompletions(cache);
        int n = from.size();
        int[] frames = from.array();
        int valid = 0;
        int oversize = 0;
        int malformed = 0;
        for (int i = 0; i < n; i++) {
            int frame = frames[i];
            int length = slab.length(frame);
            if (length < ETHERNET_HEADER) {
                malformed++;
                cache.free(frame);
            } else if (length > maxFrameLength || slab.dataOffset(frame) + length > slab.frameSize()) {
                oversize++;
                cache.free(frame);
            } else {
                frames[valid++] = frame;
            }
        }
        int sent = tx.reserve(valid);
        long bytes = 0;
        if (sent > 0) {
            int start = tx.reservedStart();
            for (int i = 0; i < sent; i++) {
                int frame = frames[i];
                int length = slab.length(frame);
                tx.setDescriptor(start + i, slab.dataStart(frame), length);
                lent.lend(frame);
                bytes += length;
            }
            tx.submit();
            kick();
            counters.transmitted(sent, bytes);
        }
        for (int i = sent; i < valid; i++) {
            cache.free(frames[i]);
        }
        if (valid > sent) {
            counters.dropped(PortDropReason.TX_FULL, valid - sent);
        }
        if (oversize > 0) {
            counters.dropped(PortDropReason.OVERSIZE, oversize);
        }
        if (malformed > 0) {
            counters.dropped(PortDropReason.MALFORMED, malformed);
        }
        from.clear();
        return sent;
    }

    /**
     * Tells the kernel to send. In copy mode one sendto() moves at most 32 descriptors and answers
     * EAGAIN while more remain, so the kick repeats on EAGAIN, bounded by the ring size.
     */
    private void kick() {
        for (int k = 0; k < kickLimit; k++) {
            int errno = socket.kickTransmit();
            if (errno != Errno.EAGAIN) {
                if (errno != 0 && errno != Errno.EBUSY && errno != Errno.ENOBUFS) {
                    kickErrors++;
                }
                return;
            }
        }
    }

    /** Returns sent frames to the cache. */
    private void reapCompletions(FrameCache cache) {
        int n = completion.peek(completion.size());
        if (n == 0) {
            return;
        }
        int start = completion.peekedStart();
        for (int i = 0; i < n; i++) {
            int frame = slab.frameOf(completion.address(start + i));
            lent.takeBack(frame);
            cache.free(frame);
        }
        completion.release();
    }

    /** Tops the fill ring up with empty frames from the cache, as many as it and the cache allow. */
    private void stockFillRing(FrameCache cache) {
        int room = fill.free(burst);
        if (room < burst) {
            return; // nearly full: refill in batches, not one frame at a time
        }
        int got = 0;
        while (got < room) {
            int frame = cache.allocate();
            if (frame < 0) {
                break;
            }
            refill[got++] = frame;
        }
        int reserved = fill.reserve(got);
        int start = fill.reservedStart();
        for (int i = 0; i < reserved; i++) {
            int frame = refill[i];
            fill.setAddress(start + i, slab.frameStart(frame));
            lent.lend(frame);
        }
        fill.submit();
        for (int i = reserved; i < got; i++) {
            cache.free(refill[i]);
        }
    }

    /** Closes the socket and gives every frame the kernel still held back to the pool. */
    void close(FramePool pool) {
        socket.close();
        lent.returnAll(pool);
    }
}
