package io.podswitch.graph;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.SimplePortCounters;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Test source and sink: receive fills the vector with copies of template frames (round robin, from
 * off-heap copies so the copy itself allocates nothing), transmit counts and frees.
 */
final class TemplatePort implements Port {
    private final int id;
    private final MemorySegment templates;
    private final long[] offsets;
    private final int[] lengths;
    private final SimplePortCounters counters = new SimplePortCounters();
    private int next;
    long transmitted;

    TemplatePort(int id, byte[]... frames) {
        this.id = id;
        long total = 0;
        for (byte[] f : frames) {
            total += f.length;
        }
        templates = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, total));
        offsets = new long[frames.length];
        lengths = new int[frames.length];
        long off = 0;
        for (int i = 0; i < frames.length; i++) {
            MemorySegment.copy(frames[i], 0, templates, ValueLayout.JAVA_BYTE, off, frames[i].length);
            offsets[i] = off;
            lengths[i] = frames[i].length;
            off += frames[i].length;
        }
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return "template" + id;
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        if (offsets.length == 0) {
            return 0;
        }
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        int n = 0;
        while (!into.isFull()) {
            int frame = cache.allocate();
            if (frame < 0) {
                break;
            }
            int t = next;
            next = t + 1 == offsets.length ? 0 : t + 1;
            MemorySegment.copy(templates, offsets[t], memory, slab.dataStart(frame), lengths[t]);
            slab.setLength(frame, lengths[t]);
            slab.setInPort(frame, id);
            into.add(frame);
            n++;
        }
        return n;
    }

    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        int n = from.size();
        transmitted += n;
        cache.freeAll(from);
        return n;
    }

    @Override
    public int mtu() {
        return 1500;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    @Override
    public void close() {
    }
}
