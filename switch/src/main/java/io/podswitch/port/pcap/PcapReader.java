package io.podswitch.port.pcap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a classic pcap file of Ethernet frames, in either byte order, with microsecond or
 * nanosecond timestamps. Malformed files fail with an {@link IOException} that says what and where.
 */
public final class PcapReader implements AutoCloseable {
    private final InputStream in;
    private final String source;
    private final ByteOrder order;
    private final boolean nanos;
    private final int snaplen;
    private final byte[] recordHeader = new byte[PcapFormat.RECORD_HEADER_LENGTH];
    private long recordIndex;

    public PcapReader(InputStream in, String source) throws IOException {
        this.in = in;
        this.source = source;
        byte[] header = new byte[PcapFormat.GLOBAL_HEADER_LENGTH];
        if (!readFully(header)) {
            throw new IOException(source + ": not a pcap file (shorter than the 24-byte header)");
        }
        int magicBig = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN).getInt(0);
        int magicLittle = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magicBig == PcapFormat.MAGIC_MICROS || magicBig == PcapFormat.MAGIC_NANOS) {
            order = ByteOrder.BIG_ENDIAN;
            nanos = magicBig == PcapFormat.MAGIC_NANOS;
        } else if (magicLittle == PcapFormat.MAGIC_MICROS || magicLittle == PcapFormat.MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
            nanos = magicLittle == PcapFormat.MAGIC_NANOS;
        } else {
            throw new IOException(source + ": not a pcap file (magic 0x" + Integer.toHexString(magicBig) + ")");
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(order);
        int major = h.getShort(4) & 0xffff;
        if (major != PcapFormat.VERSION_MAJOR) {
            throw new IOException(source + ": unsupported pcap version " + major + "." + (h.getShort(6) & 0xffff));
        }
        this.snaplen = h.getInt(16);
        int linktype = h.getInt(20) & 0x0fff_ffff; // the high bits may carry FCS information
        if (linktype != PcapFormat.LINKTYPE_ETHERNET) {
            throw new IOException(source + ": unsupported link type " + linktype + " (only 1, Ethernet)");
        }
    }

    public static PcapReader open(Path path) throws IOException {
        InputStream in = Files.newInputStream(path);
        try {
            return new PcapReader(new BufferedInputStream(in), path.toString());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Reads every record of a file. */
    public static List<PcapRecord> readAll(Path path) throws IOException {
        try (PcapReader r = open(path)) {
            List<PcapRecord> records = new ArrayList<>();
            for (PcapRecord rec = r.next(); rec != null; rec = r.next()) {
                records.add(rec);
            }
            return records;
        }
    }

    public boolean nanosecondTimestamps() {
        return nanos;
    }

    public ByteOrder byteOrder() {
        return order;
    }

    public int snaplen() {
        return snaplen;
    }

    /** @return the next record, or null at a clean end of file */
    public PcapRecord next() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        recordHeader[0] = (byte) first;
        if (!readFully(recordHeader, 1, recordHeader.length - 1)) {
            throw new IOException(source + ": record " + recordIndex + " header truncated");
        }
        ByteBuffer h = ByteBuffer.wrap(recordHeader).order(order);
        long seconds = h.getInt(0) & 0xffff_ffffL;
        long fraction = h.getInt(4) & 0xffff_ffffL;
        int captured = h.getInt(8);
        int original = h.getInt(12);
        if (captured < 0 || captured > Math.max(snaplen, PcapFormat.DEFAULT_SNAPLEN)) {
            throw new IOException(source + ": record " + recordIndex + " has bad captured length " + captured);
        }
        if (fraction >= (nanos ? 1_000_000_000L : 1_000_000L)) {
            throw new IOException(source + ": record " + recordIndex + " has bad sub-second timestamp " + fraction);
        }
        byte[] data = new byte[captured];
        if (!readFully(data)) {
            throw new IOException(source + ": record " + recordIndex + " data truncated (wanted " + captured + " bytes)");
        }
        recordIndex++;
        long ts = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000);
        return new PcapRecord(ts, data, Math.max(original, captured));
    }

    private boolean readFully(byte[] b) throws IOException {
        return readFully(b, 0, b.length);
    }

    private boolean readFully(byte[] b, int off, int len) throws IOException {
        return in.readNBytes(b, off, len) == len;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
