package io.podswitch.port.pcap;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a classic pcap file of Ethernet frames (little-endian, micro- or nanosecond timestamps). */
public final class PcapWriter implements AutoCloseable {
    private final OutputStream out;
    private final boolean nanos;
    private final ByteBuffer recordHeader =
            ByteBuffer.allocate(PcapFormat.RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(OutputStream out, boolean nanosecondTimestamps) throws IOException {
        this.out = out;
        this.nanos = nanosecondTimestamps;
        ByteBuffer h = ByteBuffer.allocate(PcapFormat.GLOBAL_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(nanos ? PcapFormat.MAGIC_NANOS : PcapFormat.MAGIC_MICROS);
        h.putShort((short) PcapFormat.VERSION_MAJOR);
        h.putShort((short) PcapFormat.VERSION_MINOR);
        h.putInt(0);
        h.putInt(0);
        h.putInt(PcapFormat.DEFAULT_SNAPLEN);
        h.putInt(PcapFormat.LINKTYPE_ETHERNET);
        out.write(h.array());
    }

    public static PcapWriter create(Path path, boolean nanosecondTimestamps) throws IOException {
        OutputStream o = new BufferedOutputStream(Files.newOutputStream(path));
        try {
            return new PcapWriter(o, nanosecondTimestamps);
        } catch (IOException e) {
            o.close();
            throw e;
        }
    }

    public void write(PcapRecord record) throws IOException {
        write(record.timestampNanos(), record.data(), 0, record.data().length);
    }

    public void write(long timestampNanos, byte[] data, int offset, int length) throws IOException {
        if (timestampNanos < 0) {
            throw new IllegalArgumentException("negative pcap timestamp: " + timestampNanos);
        }
        recordHeader.clear();
        recordHeader.putInt((int) (timestampNanos / 1_000_000_000L));
        long fraction = timestampNanos % 1_000_000_000L;
        recordHeader.putInt((int) (nanos ? fraction : fraction / 1000));
        recordHeader.putInt(length);
        recordHeader.putInt(length);
        out.write(recordHeader.array());
        out.write(data, offset, length);
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
