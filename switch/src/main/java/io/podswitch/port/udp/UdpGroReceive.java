package io.podswitch.port.udp;

import io.podswitch.nativeio.Datagrams;
import io.podswitch.nativeio.IoVec;
import io.podswitch.nativeio.MsgHdr;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The receive side of UDP GRO ({@code UDP_GRO}, Linux 5.0) for a {@link UdpTunnelSocket}: the kernel
 * may hand up, as one datagram, up to 64 equal-sized tunnel datagrams of one sender (a UDP GSO
 * send that crossed veths and bridges whole, or packets its GRO merged), with their size in a
 * {@code SOL_UDP/UDP_GRO} control message. Each becomes its own frame again here.
 *
 * <pre>
 *  message i:  iovec 0 -> frame i, after the synthesised outer headers   (capacity bytes)
 *              iovec 1 -> overflow slice i of this class                  (64 KiB)
 *              control -> control slot i: cmsg SOL_UDP / UDP_GRO / segment size (int)
 *
 *  coalesced:  | seg 0 | seg 1 | seg 2 | ... | seg k (may be short) |
 *               \frame i/\_____ copied into new frames, one per segment _____/
 * </pre>
 *
 * Segment 0 stays where the kernel put it; every other segment is copied (from the frame's data area,
 * the overflow slice, or both when it straddles them) behind the outer headers of a new frame. One
 * copy per segment replaces, in the kernel, one socket-buffer allocation, queueing and {@code recvmmsg}
 * slot per segment. Order is kept: frames that do not fit the caller's vector wait in a FIFO and go out
 * first on the next call, before anything new is received, so the FIFO never holds more than one
 * call's worth ({@value #MAX_MESSAGES} messages × {@value Datagrams#UDP_MAX_SEGMENTS} segments).
 * Everything is preallocated; nothing is allocated per packet. Frames still waiting when the port
 * closes are not returned to the pool: the uplink port closes with the daemon, and its slab with it.
 */
final class UdpGroReceive {
    /** Messages armed per {@code recvmmsg} (each may expand to 64 frames). */
    static final int MAX_MESSAGES = 32;
    /** Room behind the frame for the rest of a coalesced datagram: the largest UDP payload fits. */
    static final int OVERFLOW_BYTES = 64 * 1024;
    private static final long CONTROL_STRIDE = MsgHdr.cmsgSpace(Integer.BYTES);
    private static final int CARRY = MAX_MESSAGES * Datagrams.UDP_MAX_SEGMENTS;

    private final MemorySegment control;
    private final MemorySegment overflow;
    private final int[] carry = new int[CARRY];
    private int carryHead;
    private int carryCount;

    UdpGroReceive(Arena arena) {
        this.control = arena.allocate(CONTROL_STRIDE * MAX_MESSAGES, 8);
        this.overflow = arena.allocate((long) OVERFLOW_BYTES * MAX_MESSAGES, 64);
    }

    /** Arms message {@code i}: its second iovec (the overflow slice) and a fresh control buffer. */
    void arm(MemorySegment msgs, MemorySegment iov, int i) {
        IoVec.set(iov, 2 * i + 1, overflow.address() + (long) i * OVERFLOW_BYTES, OVERFLOW_BYTES);
        MsgHdr.setControl(msgs, i, control.address() + i * CONTROL_STRIDE, CONTROL_STRIDE);
    }

    /** The segment size the kernel reported for message {@code i}, or 0 (not coalesced). */
    int segmentSize(MemorySegment msgs, int i) {
        long length = msgs.get(ValueLayout.JAVA_LONG, i * MsgHdr.SIZE + MsgHdr.CONTROLLEN);
        if (length < MsgHdr.cmsgLen(Integer.BYTES)) {
            return 0;
        }
        long c = i * CONTROL_STRIDE;
        if (control.get(ValueLayout.JAVA_INT, c + MsgHdr.CMSG_LEVEL) != Datagrams.SOL_UDP
                || control.get(ValueLayout.JAVA_INT, c + MsgHdr.CMSG_TYPE) != Datagrams.UDP_GRO) {
            return 0;
        }
        return control.get(ValueLayout.JAVA_INT, c + MsgHdr.CMSG_HEADER);
    }

    /**
     * Copies bytes {@code [from, from + length)} of message {@code i}'s datagram — the first
     * {@code capacity} of them in {@code frameData}, the rest in the overflow slice — to {@code to}.
     */
    void copy(MemorySegment memory, long frameData, int capacity, int i, int from, int length, long to) {
        int inFrame = Math.max(0, Math.min(length, capacity - from));
        if (inFrame > 0) {
            MemorySegment.copy(memory, frameData + from, memory, to, inFrame);
        }
        if (inFrame < length) {
            long start = (long) i * OVERFLOW_BYTES + Math.max(0, from - capacity);
            MemorySegment.copy(overflow, start, memory, to + inFrame, length - inFrame);
        }
    }

    /** Hands a frame on: into the vector while it has room and nothing waits, else to the FIFO. */
    void emit(int frame, PacketVector into, FrameCache cache) {
        if (carryCount == 0 && into.free() > 0) {
            into.add(frame);
        } else if (carryCount < CARRY) {
            carry[(carryHead + carryCount) % CARRY] = frame;
            carryCount++;
        } else {
            cache.free(frame); // cannot happen: a call's worth always fits (see the class comment)
        }
    }

    /** Moves waiting frames into the vector, oldest first. @return how many */
    int drain(PacketVector into) {
        int moved = 0;
        while (carryCount > 0 && into.free() > 0) {
            into.add(carry[carryHead]);
            carryHead = (carryHead + 1) % CARRY;
            carryCount--;
            moved++;
        }
        return moved;
    }

    /** Whether frames still wait for room (no receive until they are out). */
    boolean waiting() {
        return carryCount > 0;
    }
}
