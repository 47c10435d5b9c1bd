package io.podswitch.port.udp;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The transmit state of one thread on a {@link UdpTunnelPort}: its parser, one {@link DatagramBatch}
 * per open family and its own counters. Every worker that routes to the uplink transmits on it (the
 * graph uses one transmit queue index on every port), and a kernel socket takes {@code sendmmsg}
 * from several threads at once, so each thread gets a context instead of a queue: no lock, no shared
 * write, and the counters keep a single writer each.
 */
final class TransmitContext {
    private final OuterFrameParser parser;
    private final DatagramBatch batch4;
    private final DatagramBatch batch6;
    private final int mtu;
    final SimplePortCounters counters = new SimplePortCounters();
    final UdpTunnelCounters detail = new UdpTunnelCounters();

    TransmitContext(UdpTunnelPortConfig config, boolean gso4, boolean gso6, OuterFrameParser parser, Arena arena) {
        this.parser = parser;
        this.mtu = config.mtu();
        this.batch4 = config.local4() == null ? null : new DatagramBatch(false, gso4, arena);
        this.batch6 = config.local6() == null ? null : new DatagramBatch(true, gso6, arena);
    }

    /** Sends every frame of {@code from} on the sockets {@code fd4} / {@code fd6}, frees them, clears the vector. */
    int transmit(PacketVector from, FrameCache cache, int fd4, int fd6) {
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        long base = memory.address();
        OuterFrameParser p = parser;
        int count = from.size();
        int malformed = 0;
        int oversize = 0;
        int notUdp = 0;
        int wrongSource = 0;
        int noSocket = 0;
        int sent = 0;
        for (int i = 0; i < count; i++) {
            int f = from.frame(i);
            long start = slab.dataStart(f);
            int length = slab.length(f);
            int result = p.parse(memory, start, length);
            if (result != OuterFrameParser.OK) {
                malformed++;
                if (result == OuterFrameParser.NOT_UDP) {
                    notUdp++;
                } else if (result == OuterFrameParser.WRONG_SOURCE) {
                    wrongSource++;
                } else if (result == OuterFrameParser.NO_SOCKET) {
                    noSocket++;
                }
                cache.free(f);
                continue;
            }
            if (p.ipLength > mtu) {
                oversize++;
                cache.free(f);
                continue;
            }
            DatagramBatch batch = p.ip6 ? batch6 : batch4;
            if (batch.full()) {
                sent += batch.flush(p.ip6 ? fd6 : fd4, cache, counters, detail);
            }
            batch.add(f, base + start + p.payloadOffset, length, p);
        }
        from.clear();
        if (batch4 != null) {
            sent += batch4.flush(fd4, cache, counters, detail);
        }
        if (batch6 != null) {
            sent += batch6.flush(fd6, cache, counters, detail);
        }
        if (malformed > 0) {
            counters.dropped(PortDropReason.MALFORMED, malformed);
            int other = malformed - notUdp - wrongSource - noSocket;
            if (other > 0) {
                detail.add(UdpTunnelCounters.TX_MALFORMED, other);
            }
            if (notUdp > 0) {
                detail.add(UdpTunnelCounters.TX_NOT_UDP, notUdp);
            }
            if (wrongSource > 0) {
                detail.add(UdpTunnelCounters.TX_WRONG_SOURCE, wrongSource);
            }
            if (noSocket > 0) {
                detail.add(UdpTunnelCounters.TX_NO_SOCKET, noSocket);
            }
        }
        if (oversize > 0) {
            counters.dropped(PortDropReason.OVERSIZE, oversize);
        }
        return sent;
    }
}
