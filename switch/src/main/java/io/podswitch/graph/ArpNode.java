package io.podswitch.graph;

import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.Arp;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;

import java.lang.foreign.MemorySegment;

/**
 * arp: answers requests for the port's own addresses (the reply is built in place), learns the
 * sender from requests and replies addressed to us and from answers to our own requests, refreshes
 * known entries from any ARP (gratuitous ARP), and releases packets that waited for the sender.
 */
final class ArpNode extends GraphNode {
    static final int TOO_SHORT = 0;
    static final int UNSUPPORTED_FORMAT = 1;
    static final int BAD_OPCODE = 2;
    static final int BAD_SENDER = 3;
    static final int ADDRESS_CONFLICT = 4;
    static final int REQUEST_NOT_FOR_US = 5;
    static final int REPLY_CONSUMED = 6;
    static final int REPLIES_SENT = 7;
    static final int LEARNED = 8;
    static final int TABLE_FULL = 9;
    static final int SPOOFED_SENDER = 10;

    private final InterfaceTable interfaces;
    private final NeighborTable neighbors;
    private final InterfaceOutput output;
    private final GraphClock clock;
    private final ArpResolver resolver;

    ArpNode(GraphContext ctx, ArpResolver resolver) {
        super("arp", ctx, "too_short", "unsupported_format", "bad_opcode", "bad_sender", "address_conflict",
                "request_not_for_us", "reply_consumed", "replies_sent", "learned", "table_full", "spoofed_sender");
        this.interfaces = ctx.interfaces;
        this.neighbors = ctx.neighbors;
        this.output = ctx.output;
        this.clock = ctx.clock;
        this.resolver = resolver;
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            if (slab.length(f) < Ethernet.HEADER_LENGTH + Arp.LENGTH) {
                drop(f, TOO_SHORT, cache);
                continue;
            }
            long eth = slab.dataStart(f);
            long arp = eth + Ethernet.HEADER_LENGTH;
            if (Bytes.u16(m, arp + Arp.HARDWARE_TYPE) != Arp.HARDWARE_ETHERNET
                    || Bytes.u16(m, arp + Arp.PROTOCOL_TYPE) != Ethernet.TYPE_IP4
                    || Bytes.u8(m, arp + Arp.HARDWARE_LENGTH) != 6 || Bytes.u8(m, arp + Arp.PROTOCOL_LENGTH) != 4) {
                drop(f, UNSUPPORTED_FORMAT, cache);
                continue;
            }
            int op = Bytes.u16(m, arp + Arp.OPERATION);
            if (op != Arp.REQUEST && op != Arp.REPLY) {
                drop(f, BAD_OPCODE, cache);
                continue;
            }
            int port = slab.inPort(f);
            Interface iface = interfaces.get(port);
            long senderMac = Bytes.mac(m, arp + Arp.SENDER_MAC);
            int senderIp = Bytes.i32(m, arp + Arp.SENDER_IP);
            int targetIp = Bytes.i32(m, arp + Arp.TARGET_IP);
            if (Ethernet.isMulticast(senderMac) || senderMac == 0) {
                drop(f, BAD_SENDER, cache);
                continue;
            }
            if (!iface.allowsSourceMac(senderMac) || (senderIp != 0 && !iface.allowsIp4Source(senderIp))) {
                drop(f, SPOOFED_SENDER, cache);
                continue;
            }
            if (senderIp != 0 && iface.ownsIp4(senderIp)) {
                drop(f, ADDRESS_CONFLICT, cache);
                continue;
            }
            boolean forUs = iface.ownsIp4(targetIp) || (iface.proxiesNeighbors() && targetIp != 0 && targetIp != senderIp);
            if (senderIp != 0) {
                long key = senderIp & 0xffff_ffffL;
                if (forUs || resolver.isPending(port, 0, key)) {
                    if (neighbors.learn4(port, senderIp, senderMac, clock.nowNanos)) {
                        counters.count(LEARNED);
                    } else {
                        counters.count(TABLE_FULL);
                    }
                    resolver.resolved(port, 0, key, senderMac, cache);
                } else {
                    neighbors.ip4().refresh(port, 0, key, senderMac, clock.nowNanos);
                }
            }
            if (op == Arp.REQUEST && forUs) {
                // Reply in place: the requester becomes the target, we become the sender.
                Bytes.u16(m, arp + Arp.OPERATION, Arp.REPLY);
                Bytes.mac(m, arp + Arp.TARGET_MAC, senderMac);
                Bytes.i32(m, arp + Arp.TARGET_IP, senderIp);
                Bytes.mac(m, arp + Arp.SENDER_MAC, iface.mac());
                Bytes.i32(m, arp + Arp.SENDER_IP, targetIp);
                Bytes.mac(m, eth + Ethernet.DESTINATION, Bytes.mac(m, eth + Ethernet.SOURCE));
                Bytes.mac(m, eth + Ethernet.SOURCE, iface.mac());
                slab.setLength(f, ArpResolver.FRAME_LENGTH);
                counters.count(REPLIES_SENT);
                output.send(port, f, cache);
            } else if (op == Arp.REQUEST) {
                drop(f, REQUEST_NOT_FOR_US, cache);
            } else {
                drop(f, REPLY_CONSUMED, cache);
            }
        }
    }
}
