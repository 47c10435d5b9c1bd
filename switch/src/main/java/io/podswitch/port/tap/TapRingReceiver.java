package io.podswitch.port.tap;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.IoUring;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;
import io.podswitch.port.ring.FrameBuffers;
import io.podswitch.port.ring.RingClient;
import io.podswitch.port.ring.ThreadRing;
import java.lang.foreign.MemorySegment;

/**
 * One TAP queue read through its poller's {@link ThreadRing}: a multishot read stays armed on the
 * queue's descriptor, and whenever the pod sends, the kernel reads each packet into a buffer of the
 * ring's {@link FrameBuffers} inside the worker's next {@code io_uring_enter} — one kernel entry for
 * every packet of every queue that arrived since the last, no {@code read} of an empty queue ever.
 *
 * <pre>
 *   pod ──► tun queue ──(poll wake)──► armed READ_MULTISHOT ──► buffer bid ──► CQE(bid, bytes)
 *                                                                              │ ThreadRing.dispatch
 *                                                         completed: bids, byte counts (FIFO) ◄─┘
 *   receive(): frame of the buffer ──► the burst; buffer refilled (a fresh frame) or recycled
 * </pre>
 *
 * With offloads the buffers are large frames (a read must fit a 64 KiB super-frame): a packet that fits
 * a normal frame is copied into one (at most 1.8 KiB) and its large buffer goes straight back to the
 * kernel; a super-frame keeps its large frame and a fresh one replaces it. Without offloads the buffers
 * are normal frames and every packet keeps its frame. The read is re-armed when the kernel ends it
 * (buffers ran out: {@code -ENOBUFS}); a kernel without multishot reads (before 6.7) answers
 * {@code -EINVAL} and the queue goes back to plain {@code read}s ({@link #unsupported}).
 *
 * <p>Made and closed by the worker that polls the queue, on its thread ({@link TapPort#ringAttached}).
 * Receive path allocation free.
 */
final class TapRingReceiver extends RingClient {
    /** Request indices: the armed read, and the cancel that ends it. */
    private static final int READ = 0;
    private static final int CANCEL = 1;
    private final ThreadRing ring;
    private final FrameBuffers buffers;
    private final int fd;
    private final int portId;
    private final int maxLength;
    private final boolean offloads;
    private final SimplePortCounters counters;
    private final OffloadCounters offloadCounters;
    private final int id;
    private final long userData;
    /** Completed buffers in arrival order: buffer id and bytes read. */
    private final int[] completedBid;
    private final int[] completedBytes;
    private final int mask;
    private int head;
    private int tail;
    private boolean armed;
    private boolean gotData;
    private boolean unsupported;
    private int ioErrors;

    TapRingReceiver(ThreadRing ring, int fd, int portId, int mtu, boolean offloads, SimplePortCounters counters,
                    OffloadCounters offloadCounters) {
        this.ring = ring;
        this.buffers = ring.buffers(offloads, TapPort.VNET_HEADER_SIZE);
        this.fd = fd;
        this.portId = portId;
        this.maxLength = mtu + TapPort.L2_OVERHEAD;
        this.offloads = offloads;
        this.counters = counters;
        this.offloadCounters = offloadCounters;
        int capacity = Integer.highestOneBit(buffers.entries()) * 2; // never more completed than buffers
        this.completedBid = new int[capacity];
        this.completedBytes = new int[capacity];
        this.mask = capacity - 1;
        this.id = ring.register(this);
        this.userData = ThreadRing.userData(id, READ);
        arm();
    }

    /** The kernel refused multishot reads: read this queue with plain system calls. */
    boolean unsupported() {
        return unsupported;
    }

    /** Arms the read (submitted with the ring's next enter), unless every buffer of the group lacks a frame. */
    private void arm() {
        if (buffers.missing() < buffers.entries() && ring.uring().prepReadMultishot(fd, buffers.group(), userData)) {
            armed = true;
        }
    }

    @Override
    protected void complete(int index, int result, int flags) {
        if (index != READ) {
            return; // the cancel's own completion (see close)
        }
        if ((flags & IoUring.CQE_F_BUFFER) != 0) {
            if (result > 0) {
                completedBid[tail & mask] = flags >>> 16;
                completedBytes[tail & mask] = result;
                tail++;
                gotData = true;
            } else {
                buffers.recycle(flags >>> 16); // an empty read (0 bytes) still took a buffer
            }
        } else if (result < 0 && result != -Errno.ENOBUFS && result != -Errno.ECANCELED) {
            if (result == -Errno.EINVAL && !gotData) {
                unsupported = true;
            } else {
                ioErrors++;
            }
        }
        if ((flags & IoUring.CQE_F_MORE) == 0) {
            armed = false;
        }
    }

    /** Up to {@code into.free()} packets the ring read, in arrival order (see the class comment). */
    int receive(PacketVector into, FrameCache cache) {
        if (!armed && !unsupported) {
            arm();
        }
        int available = tail - head;
        if (available == 0) {
            countErrors();
            return 0;
        }
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        int headroom = slab.headroom();
        int normalData = slab.frameSize() - headroom;
        long capacity = buffers.length();
        int n = Math.min(available, into.free());
        int received = 0;
        long bytes = 0;
        int noFrame = 0;
        int malformed = 0;
        int oversize = 0;
        int large = 0;
        int partial = 0;
        for (int i = 0; i < n; i++) {
            int bid = completedBid[head & mask];
            int read = completedBytes[head & mask];
            head++;
            long header = buffers.offset(bid);
            int verdict = TapRxHeader.check(memory, header, read, capacity, maxLength, offloads);
            if (verdict != TapRxHeader.ACCEPT) {
                malformed += verdict == TapRxHeader.MALFORMED ? 1 : 0;
                oversize += verdict == TapRxHeader.OVERSIZE ? 1 : 0;
                buffers.recycle(bid);
                continue;
            }
            int length = read - TapPort.VNET_HEADER_SIZE;
            int packet;
            if (buffers.large() && length <= normalData) {
                // Fits a normal frame: copy it there and give the large buffer straight back.
                packet = cache.allocate();
                if (packet < 0) {
                    noFrame++;
                    buffers.recycle(bid);
                    continue;
                }
                MemorySegment.copy(memory, header + TapPort.VNET_HEADER_SIZE, memory,
                        slab.frameStart(packet) + headroom, length);
                partial += TapRxHeader.apply(slab, packet, memory, header);
                buffers.recycle(bid);
            } else {
                int fresh = buffers.large() ? cache.allocateLarge() : cache.allocate();
                if (fresh < 0) {
                    noFrame++;
                    buffers.recycle(bid);
                    continue;
                }
                packet = buffers.frame(bid);
                slab.reset(packet);
                partial += TapRxHeader.apply(slab, packet, memory, header);
                buffers.replace(bid, fresh);
                large += buffers.large() ? 1 : 0;
            }
            slab.setData(packet, headroom, length);
            slab.setInPort(packet, portId);
            into.add(packet);
            received++;
            bytes += length;
        }
        buffers.publish();
        SimplePortCounters c = counters;
        if (received > 0) {
            c.received(received, bytes);
            if (large > 0) {
                offloadCounters.receivedLarge(large);
            }
            if (partial > 0) {
                offloadCounters.receivedPartialChecksum(partial);
            }
        }
        if ((noFrame | malformed | oversize) != 0) {
            TapPort.countDrops(c, noFrame, malformed, oversize, 0);
        }
        countErrors();
        return received;
    }

    private void countErrors() {
        if (ioErrors > 0) {
            counters.dropped(PortDropReason.IO_ERROR, ioErrors);
            ioErrors = 0;
        }
    }

    /**
     * Cancels the armed read and waits for its last completion, then gives back the buffers it
     * completed that were never received: afterwards the kernel holds nothing of this queue and the
     * port may be closed. Worker thread, control path.
     */
    void close() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        if (armed) {
            while (!ring.uring().prepCancel(userData, ThreadRing.userData(id, CANCEL))) {
                ring.submitAndDispatch();
            }
            while (armed && System.nanoTime() < deadline) {
                ring.awaitCompletions(1_000_000);
            }
        }
        while (head != tail) {
            buffers.recycle(completedBid[head & mask]);
            head++;
        }
        buffers.publish();
        if (armed) {
            throw new IllegalStateException("TAP read on descriptor " + fd + " not cancelled within 5 s");
        }
        ring.unregister(id);
    }
}
