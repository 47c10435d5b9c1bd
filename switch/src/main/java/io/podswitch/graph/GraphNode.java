package io.podswitch.graph;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;

import java.lang.foreign.MemorySegment;

/**
 * One node of the graph: takes the vector of packets enqueued to it, decides per packet, and hands
 * each packet to a next node's vector, to an interface's transmit vector, or drops it with a
 * counted reason. Counters are published once per vector.
 */
abstract class GraphNode {
    final String name;
    final PacketVector input;
    final NodeCounters counters;
    final FrameSlab slab;
    final MemorySegment memory;
    final FrameMetadata meta;
    /** Index of the counter "next_vector_full" (a next vector could not take a packet). */
    private final int nextFull;

    GraphNode(String name, GraphContext ctx, String... reasons) {
        this.name = name;
        this.input = new PacketVector(ctx.vectorCapacity);
        String[] all = new String[reasons.length + 1];
        System.arraycopy(reasons, 0, all, 0, reasons.length);
        all[reasons.length] = "next_vector_full";
        this.nextFull = reasons.length;
        this.counters = new NodeCounters(name, all);
        this.slab = ctx.slab;
        this.memory = ctx.slab.memory();
        this.meta = ctx.meta;
    }

    /** Processes and empties the input vector. @return how many packets were processed */
    final int run(FrameCache cache) {
        int n = input.size();
        if (n == 0) {
            return 0;
        }
        counters.vector(n);
        process(cache, n);
        input.clear();
        counters.commit();
        return n;
    }

    /** Handles input frames [0, n); every frame must be enqueued somewhere or dropped. */
    abstract void process(FrameCache cache, int n);

    final void drop(int frame, int reason, FrameCache cache) {
        counters.count(reason);
        cache.free(frame);
    }

    /** Hands a packet to the next node (the graph guarantees room; a full vector still only drops). */
    final void enqueue(GraphNode next, int frame, FrameCache cache) {
        if (next.input.isFull()) {
            drop(frame, nextFull, cache);
            return;
        }
        next.input.add(frame);
    }
}
