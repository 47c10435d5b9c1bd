package io.podswitch.packet;

import java.lang.foreign.MemorySegment;

/**
 * Software GRO for egress ports that take super-frames (a TAP with offloads): finds runs of adjacent
 * frames in a vector that are consecutive MSS-sized segments of one TCP flow, and turns the first frame
 * of each run into the head of a GSO super-frame whose payload is the run's payloads in order. The
 * inverse of {@link TcpSegmenter}, with the merge rules of the kernel's tcp_gro_receive.
 *
 * <pre>
 *  vector:  | eth | ip | tcp | payload 0 |   | eth | ip | tcp | payload 1 |   ...   | eth | ip | tcp | payload k |
 *            \______ head: rewritten ____/                 \_ slice 1 _/                       \_ slice k _/
 *  written: | vnet hdr | eth | ip' | tcp' | payload 0 | payload 1 | ... | payload k |   (one writev)
 *     ip'  IPv4: total length of the whole, header checksum recomputed (identification stays the first's)
 *          IPv6: payload length of the whole
 *     tcp' PSH if the last segment had it; checksum field = pseudo-header sum of the whole (partial)
 *     vnet NEEDS_CSUM at the TCP checksum, GSO TCPV4/TCPV6, gso_size = the first segment's payload
 * </pre>
 *
 * A frame joins the run when, against the run's first frame: same MACs and EtherType; IPv4 without
 * options or fragmentation, same TOS, TTL, DF, addresses, identification = first's + position (what a
 * TSO sender emits); IPv6 without extension headers, same class/flow, hop limit, addresses; TCP with
 * the same ports, acknowledgment, window, header length and option bytes, only ACK (and PSH) set, and a
 * sequence number right after the previous frame's payload. Every segment but the last carries exactly
 * the first's payload size; a shorter segment or PSH ends the run; a frame longer than the egress takes
 * alone never merges. The merged frame's TCP checksum is left partial, and the pod's kernel trusts a
 * partial checksum without computing it (it would only fill it in to forward the frame on), so this is
 * the last integrity check: every segment of a run is verified first (unless the kernel marked it
 * DATA_VALID), and a bad one travels alone, for the pod's TCP to drop. IPv4 header checksums are
 * verified too (the head's is recomputed).
 *
 * <p>Use: {@link #begin} once per vector, then {@link #run} from each index in turn and {@link #merge}
 * for runs of two or more. Per-frame parse results live in arrays indexed by vector position, filled
 * once per pass (a frame that ends one run starts the next without being parsed again); frames beyond
 * the arrays' capacity are passed on alone. Nothing is allocated per packet.
 */
public final class TcpCoalescer {
    /** The largest IP packet a super-frame may become (IPv4 total length / IPv6 payload length). */
    public static final int MAX_IP_LENGTH = 65_535;
    private static final int ETH_ADDRESSES = 12;
    private static final int ALLOWED_FLAGS = Tcp.FLAG_ACK | Tcp.FLAG_PSH;
    private static final int IP4_CLASS = 0;
    private static final int IP6_CLASS = 1;

    private final int maxSegments;
    /** Per vector index, valid in the pass recorded in {@link #parsedIn}: -1 = not a candidate. */
    private final int[] l4Offset;
    private final int[] headerLength;
    private final int[] payloadLength;
    /** The pass in which each index was parsed (a long: never wraps back to a stale entry's value). */
    private final long[] parsedIn;
    /** The pass in which each index's TCP checksum was verified good (checked only when it would merge). */
    private final long[] verifiedIn;
    private long pass;
    private FrameSlab slab;
    private MemorySegment m;
    private int maxFrameLength;

    /**
     * @param vectorCapacity how many vector positions are considered (later ones pass on alone)
     * @param maxSegments the most frames one run may hold (the caller's scatter/gather capacity)
     */
    public TcpCoalescer(int vectorCapacity, int maxSegments) {
        if (maxSegments < 2) {
            throw new IllegalArgumentException("maxSegments " + maxSegments + " < 2");
        }
        this.maxSegments = maxSegments;
        this.l4Offset = new int[vectorCapacity];
        this.headerLength = new int[vectorCapacity];
        this.payloadLength = new int[vectorCapacity];
        this.parsedIn = new long[vectorCapacity];
        this.verifiedIn = new long[vectorCapacity];
    }

    /**
     * Starts a pass over a (new or changed) vector whose frames live in {@code frames}.
     * @param maxFrameLength the longest frame the egress takes alone (MTU + L2 overhead): a longer one
     *     is never merged, so the port's own size check still drops it
     */
    public void begin(FrameSlab frames, int maxFrameLength) {
        this.slab = frames;
        this.m = frames.memory();
        this.maxFrameLength = maxFrameLength;
        pass++;
    }

    /**
     * The number of frames, from {@code start} on, that form one mergeable run: 1 when the frame at
     * {@code start} merges with nothing after it.
     */
    public int run(PacketVector vector, int start) {
        int size = Math.min(vector.size(), l4Offset.length);
        if (start + 1 >= size || !candidate(vector.frame(start), start)) {
            return 1;
        }
        int first = vector.frame(start);
        long firstData = slab.dataStart(first);
        int l4 = l4Offset[start];
        int headers = headerLength[start];
        int mss = payloadLength[start];
        if (psh(firstData + l4)) {
            return 1;
        }
        long nextSequence = Bytes.i32(m, firstData + l4 + Tcp.SEQUENCE) + (long) mss;
        int total = headers - Ethernet.HEADER_LENGTH + mss;
        int count = 1;
        while (start + count < size && count < maxSegments) {
            int index = start + count;
            int frame = vector.frame(index);
            if (!candidate(frame, index) || l4Offset[index] != l4 || headerLength[index] != headers) {
                break;
            }
            int payload = payloadLength[index];
            if (payload > mss || total + payload > MAX_IP_LENGTH) {
                break;
            }
            long data = slab.dataStart(frame);
            if ((int) nextSequence != Bytes.i32(m, data + l4 + Tcp.SEQUENCE)
                    || !sameFlow(firstData, data, l4, headers, count)) {
                break;
            }
            // Checksums are verified only for frames that would merge (the first once it has a partner).
            if ((count == 1 && !verified(first, start)) || !verified(frame, index)) {
                break;
            }
            count++;
            total += payload;
            nextSequence += payload;
            if (payload < mss || psh(data + l4)) {
                break; // a short segment or a push ends a super-frame, as it ended the sender's
            }
        }
        return count;
    }

    /**
     * Rewrites the first frame of a run of {@code count} ≥ 2 frames (as returned by {@link #run}) into
     * the head of the super-frame and sets its offload metadata. The other frames stay untouched; their
     * payloads follow the head at {@link #payloadOffset}.
     * @return the super-frame's length (head plus every payload)
     */
    public int merge(PacketVector vector, int start, int count) {
        int first = vector.frame(start);
        long data = slab.dataStart(first);
        int l4 = l4Offset[start];
        int headers = headerLength[start];
        int payload = 0;
        for (int i = start; i < start + count; i++) {
            payload += payloadLength[i];
        }
        long ip = data + Ethernet.HEADER_LENGTH;
        long tcp = data + l4;
        int tcpLength = headers - l4 + payload;
        boolean v4 = Bytes.u16(m, data + Ethernet.TYPE) == Ethernet.TYPE_IP4;
        long pseudo;
        if (v4) {
            Bytes.u16(m, ip + Ip4.TOTAL_LENGTH, Ip4.MIN_HEADER_LENGTH + tcpLength);
            Bytes.u16(m, ip + Ip4.CHECKSUM, 0);
            Bytes.u16(m, ip + Ip4.CHECKSUM, Checksum.compute(m, ip, Ip4.MIN_HEADER_LENGTH));
            pseudo = Checksum.add(m, ip + Ip4.SOURCE, 8, 0) + Ip4.PROTOCOL_TCP + tcpLength;
        } else {
            Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH, tcpLength);
            pseudo = Checksum.pseudoHeader6(m, ip, tcpLength, Ip4.PROTOCOL_TCP);
        }
        long lastTcp = slab.dataStart(vector.frame(start + count - 1)) + l4;
        Bytes.u8(m, tcp + Tcp.FLAGS, Bytes.u8(m, tcp + Tcp.FLAGS) | (Bytes.u8(m, lastTcp + Tcp.FLAGS) & Tcp.FLAG_PSH));
        // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum; the kernel adds the rest.
        Bytes.u16(m, tcp + Tcp.CHECKSUM, Checksum.fold(pseudo));
        slab.setChecksumOffload(first, FrameSlab.NEEDS_CSUM, l4, Tcp.CHECKSUM);
        slab.setGso(first, v4 ? FrameSlab.GSO_TCPV4 : FrameSlab.GSO_TCPV6, payloadLength[start], headers);
        return headers + payload;
    }

    /** Where the payload of the frame at {@code index} starts, from its data start (valid after {@link #run}). */
    public int payloadOffset(int index) {
        return headerLength[index];
    }

    /** The payload length of the frame at {@code index} (valid after {@link #run}). */
    public int payloadLength(int index) {
        return payloadLength[index];
    }

    /**
     * Parses the frame at vector index {@code index} into the per-index arrays, once per pass.
     * @return whether it is a complete TCP data segment with only ACK/PSH set (its TCP checksum is
     *     verified later, by {@link #verified}, only if it would merge)
     */
    private boolean candidate(int frame, int index) {
        if (parsedIn[index] == pass) {
            return l4Offset[index] >= 0;
        }
        parsedIn[index] = pass;
        l4Offset[index] = -1;
        if (slab.gsoType(frame) != FrameSlab.GSO_NONE
                || (slab.offloadFlags(frame) & FrameSlab.NEEDS_CSUM) != 0) {
            return false;
        }
        long data = slab.dataStart(frame);
        int length = slab.length(frame);
        if (length < Ethernet.HEADER_LENGTH + Ip4.MIN_HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH || length > maxFrameLength) {
            return false;
        }
        long ip = data + Ethernet.HEADER_LENGTH;
        int type = Bytes.u16(m, data + Ethernet.TYPE);
        int l4;
        int ipLength;
        if (type == Ethernet.TYPE_IP4) {
            if (Bytes.u8(m, ip + Ip4.VERSION_IHL) != 0x45 || Bytes.u8(m, ip + Ip4.PROTOCOL) != Ip4.PROTOCOL_TCP
                    || (Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT) & (Ip4.FLAG_MF | Ip4.FRAGMENT_OFFSET_MASK)) != 0
                    || Checksum.compute(m, ip, Ip4.MIN_HEADER_LENGTH) != 0) {
                return false; // options, fragments and bad header checksums go alone (the pod drops the last)
            }
            l4 = Ethernet.HEADER_LENGTH + Ip4.MIN_HEADER_LENGTH;
            ipLength = Bytes.u16(m, ip + Ip4.TOTAL_LENGTH);
        } else if (type == Ethernet.TYPE_IP6) {
            if (length < Ethernet.HEADER_LENGTH + Ip6.HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH
                    || (Bytes.u8(m, ip + Ip6.VERSION_CLASS_FLOW) >>> 4) != 6
                    || Bytes.u8(m, ip + Ip6.NEXT_HEADER) != Ip4.PROTOCOL_TCP) {
                return false;
            }
            l4 = Ethernet.HEADER_LENGTH + Ip6.HEADER_LENGTH;
            ipLength = Ip6.HEADER_LENGTH + Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH);
        } else {
            return false;
        }
        // Exactly one IP packet in the frame (no Ethernet padding: padded frames carry no full segment).
        if (Ethernet.HEADER_LENGTH + ipLength != length) {
            return false;
        }
        long tcp = data + l4;
        int tcpHeader = Tcp.headerLength(m, tcp);
        int headers = l4 + tcpHeader;
        if (tcpHeader < Tcp.MIN_HEADER_LENGTH || headers >= length) {
            return false; // bad header length, or no payload (pure ACK): nothing to merge
        }
        int flags = Bytes.u8(m, tcp + Tcp.FLAGS);
        // Reserved bits and AccECN's AE (the low nibble of byte 12) must be clear: a merge keeps only the
        // first segment's.
        if ((flags & ~ALLOWED_FLAGS) != 0 || (flags & Tcp.FLAG_ACK) == 0
                || (Bytes.u8(m, tcp + Tcp.DATA_OFFSET) & 0x0f) != 0) {
            return false;
        }
        l4Offset[index] = l4;
        headerLength[index] = headers;
        payloadLength[index] = length - headers;
        return true;
    }

    /**
     * Whether the frame at {@code index} has a good TCP checksum (once per pass). A frame the kernel
     * marked DATA_VALID was verified already.
     */
    private boolean verified(int frame, int index) {
        if (verifiedIn[index] == pass) {
            return true;
        }
        if ((slab.offloadFlags(frame) & FrameSlab.DATA_VALID) == 0) {
            long data = slab.dataStart(frame);
            int l4 = l4Offset[index];
            int type = Bytes.u16(m, data + Ethernet.TYPE);
            if (!checksumGood(data + Ethernet.HEADER_LENGTH, data + l4, slab.length(frame) - l4, type)) {
                return false;
            }
        }
        verifiedIn[index] = pass;
        return true;
    }

    private boolean checksumGood(long ip, long tcp, int tcpLength, int type) {
        long pseudo = type == Ethernet.TYPE_IP4
                ? Checksum.add(m, ip + Ip4.SOURCE, 8, 0) + Ip4.PROTOCOL_TCP + tcpLength
                : Checksum.pseudoHeader6(m, ip, tcpLength, Ip4.PROTOCOL_TCP);
        return Checksum.fold(Checksum.add(m, tcp, tcpLength, pseudo)) == 0xffff;
    }

    /** Whether the frame at {@code data} continues the flow of the first frame at {@code firstData}. */
    private boolean sameFlow(long firstData, long data, int l4, int headers, int position) {
        if (Bytes.i64(m, firstData) != Bytes.i64(m, data)
                || Bytes.i32(m, firstData + 8) != Bytes.i32(m, data + 8)
                || Bytes.u16(m, firstData + ETH_ADDRESSES) != Bytes.u16(m, data + ETH_ADDRESSES)) {
            return false;
        }
        long ip0 = firstData + Ethernet.HEADER_LENGTH;
        long ip = data + Ethernet.HEADER_LENGTH;
        if (l4 == Ethernet.HEADER_LENGTH + Ip4.MIN_HEADER_LENGTH) {
            // TOS and TTL and DF equal; identification advancing one per segment; same addresses.
            if (Bytes.u8(m, ip0 + Ip4.TOS) != Bytes.u8(m, ip + Ip4.TOS)
                    || Bytes.u8(m, ip0 + Ip4.TTL) != Bytes.u8(m, ip + Ip4.TTL)
                    || Bytes.u16(m, ip0 + Ip4.FLAGS_FRAGMENT) != Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT)
                    || ((Bytes.u16(m, ip0 + Ip4.IDENTIFICATION) + position) & 0xffff) != Bytes.u16(m, ip + Ip4.IDENTIFICATION)
                    || Bytes.i64(m, ip0 + Ip4.SOURCE) != Bytes.i64(m, ip + Ip4.SOURCE)) {
                return false;
            }
        } else {
            if (Bytes.i32(m, ip0 + Ip6.VERSION_CLASS_FLOW) != Bytes.i32(m, ip + Ip6.VERSION_CLASS_FLOW)
                    || Bytes.u8(m, ip0 + Ip6.HOP_LIMIT) != Bytes.u8(m, ip + Ip6.HOP_LIMIT)
                    || !sameBytes(ip0 + Ip6.SOURCE, ip + Ip6.SOURCE, 32)) {
                return false;
            }
        }
        long tcp0 = firstData + l4;
        long tcp = data + l4;
        // Ports; acknowledgment; window; options (timestamps included, as tcp_gro_receive compares them).
        return Bytes.i32(m, tcp0 + Tcp.SOURCE_PORT) == Bytes.i32(m, tcp + Tcp.SOURCE_PORT)
                && Bytes.i32(m, tcp0 + Tcp.ACKNOWLEDGMENT) == Bytes.i32(m, tcp + Tcp.ACKNOWLEDGMENT)
                && Bytes.u16(m, tcp0 + Tcp.WINDOW) == Bytes.u16(m, tcp + Tcp.WINDOW)
                && sameBytes(tcp0 + Tcp.MIN_HEADER_LENGTH, tcp + Tcp.MIN_HEADER_LENGTH, headers - l4 - Tcp.MIN_HEADER_LENGTH);
    }

    private boolean sameBytes(long a, long b, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (Bytes.i64(m, a + i) != Bytes.i64(m, b + i)) {
                return false;
            }
        }
        for (; i + 4 <= length; i += 4) {
            if (Bytes.i32(m, a + i) != Bytes.i32(m, b + i)) {
                return false;
            }
        }
        return true; // TCP options are a multiple of 4 bytes
    }

    private boolean psh(long tcp) {
        return (Bytes.u8(m, tcp + Tcp.FLAGS) & Tcp.FLAG_PSH) != 0;
    }
}
