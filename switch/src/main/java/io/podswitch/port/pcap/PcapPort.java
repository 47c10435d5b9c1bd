package io.podswitch.port.pcap;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.PortOffloads;
import io.podswitch.port.SimplePortCounters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * A port whose receive side replays the packets of a pcap file and whose transmit side writes the
 * packets it is given to another pcap file, so that the graph's output can be compared and opened in
 * tshark or tcpdump. One queue. For tests and offline replay: receive and transmit copy through
 * heap arrays, which is fine here and nowhere on a production data path.
 */
public final class PcapPort implements Port {
    private final int id;
    private final String name;
    private final int mtu;
    private final List<PcapRecord> input;
    private final PcapWriter output;
    private final SimplePortCounters counters = new SimplePortCounters();
    private final byte[] copy = new byte[65_536];
    private int next;
    private long timestampNanos;

    /**
     * @param input  packets to replay on receive (read with {@link PcapReader#readAll}), may be empty
     * @param output where transmitted packets go, or null to count and discard them
     */
    public PcapPort(int id, String name, int mtu, List<PcapRecord> input, Path output) throws IOException {
        if (mtu < 68 || mtu > 65_535) {
            throw new IllegalArgumentException("port " + name + ": MTU out of range [68, 65535]: " + mtu);
        }
        this.id = id;
        this.name = name;
        this.mtu = mtu;
        this.input = List.copyOf(input);
        this.output = output == null ? null : PcapWriter.create(output, false);
        this.timestampNanos = input.isEmpty() ? 0 : input.getLast().timestampNanos();
    }

    /** Replays the packets of {@code inputFile} (may be null: nothing to receive). */
    public static PcapPort open(int id, String name, int mtu, Path inputFile, Path outputFile) throws IOException {
        List<PcapRecord> in = inputFile == null ? List.of() : PcapReader.readAll(inputFile);
        return new PcapPort(id, name, mtu, in, outputFile);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int queueCount() {
        return 1;
    }

    /** Timestamp of the next packet {@link #receive} would replay, or Long.MAX_VALUE when none is left. */
    public long nextTimestampNanos() {
        return next < input.size() ? input.get(next).timestampNanos() : Long.MAX_VALUE;
    }

    /** Packets not yet replayed. */
    public int remaining() {
        return input.size() - next;
    }

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        int received = 0;
        long bytes = 0;
        while (next < input.size() && !into.isFull()) {
            PcapRecord rec = input.get(next);
            byte[] data = rec.data();
            int room = slab.frameSize() - slab.headroom();
            if (data.length > room || data.length == 0) {
                next++;
                counters.dropped(data.length == 0 ? PortDropReason.MALFORMED : PortDropReason.OVERSIZE, 1);
                continue;
            }
            int frame = cache.allocate();
            if (frame < 0) {
                counters.dropped(PortDropReason.NO_FRAME, 1);
                break;
            }
            next++;
            MemorySegment.copy(data, 0, memory, ValueLayout.JAVA_BYTE, slab.dataStart(frame),
                    data.length);
            slab.setLength(frame, data.length);
            slab.setInPort(frame, id);
            into.add(frame);
            received++;
            bytes += data.length;
            timestampNanos = Math.max(timestampNanos, rec.timestampNanos());
        }
        if (received > 0) {
            counters.received(received, bytes);
        }
        return received;
    }

    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        int n = from.size();
        long bytes = 0;
        int sent = 0;
        for (int i = 0; i < n; i++) {
            int frame = from.frame(i);
            int length = slab.length(frame);
            if (output != null) {
                MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, slab.dataStart(frame), copy, 0,
                        length);
                try {
                    // Output timestamps continue after the last input packet, one microsecond apart.
                    timestampNanos += 1000;
                    output.write(timestampNanos, copy, 0, length);
                } catch (IOException e) {
                    counters.dropped(PortDropReason.IO_ERROR, 1);
                    cache.free(frame);
                    continue;
                }
            }
            cache.free(frame);
            bytes += length;
            sent++;
        }
        from.clear();
        if (sent > 0) {
            counters.transmitted(sent, bytes);
        }
        return sent;
    }

    /** A capture file records finished packets: none (checksums are completed before writing). */
    @Override
    public int offloads() {
        return PortOffloads.NONE;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        if (output != null) {
            try {
                output.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing pcap output of port " + name, e);
            }
        }
    }
}
