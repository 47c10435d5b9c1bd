package io.podswitch.worker.forward;

import io.podswitch.graph.PacketProcessor;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.stats.CounterSource;

/**
 * testpmd's {@code io} forwarding mode: every packet received on a port leaves through its peer
 * (ports paired 0↔1, 2↔3, ...), untouched — the cost of the engine itself with no packet work.
 */
public final class IoForward implements PacketProcessor, CounterSource {
    private final PortPairs pairs;
    private final FrameSlab slab;
    private final String dropName;

    /**
     * @param ports paired in order (an even number, distinct ids)
     * @param txQueue the TX queue this worker uses on every port
     * @param burst TX buffer size per output port
     */
    public IoForward(FrameSlab slab, Port[] ports, int txQueue, int burst) {
        this.pairs = new PortPairs(ports, txQueue, burst);
        this.slab = slab;
        this.dropName = "forward.io.q" + txQueue + ".drop.unknown_port";
    }

    @Override
    public void process(PacketVector burst, FrameCache cache) {
        int n = burst.size();
        for (int i = 0; i < n; i++) {
            int frame = burst.frame(i);
            int out = pairs.peer(slab.inPort(frame));
            if (out >= 0) {
                pairs.enqueue(out, frame, cache);
            } else {
                pairs.dropUnknown(frame, cache);
            }
        }
        burst.clear();
    }

    @Override
    public int flush(FrameCache cache) {
        return pairs.flush(cache);
    }

    @Override
    public void visit(CounterVisitor visitor) {
        visitor.counter(dropName, pairs.unknownPortDrops());
    }
}
