package io.podswitch.port.pcap;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapPortTest {
    @TempDir
    Path dir;

    /** Writes a pcap by hand in the given byte order and timestamp unit. */
    static byte[] handMade(ByteOrder order, boolean nanos, int linktype, byte[]... packets) {
        int size = 24;
        for (byte[] p : packets) {
            size += 16 + p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        b.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(65535).putInt(linktype);
        for (int i = 0; i < packets.length; i++) {
            b.putInt(1000 + i).putInt(nanos ? 123_456_789 : 123_456).putInt(packets[i].length)
                    .putInt(packets[i].length).put(packets[i]);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    @Test
    void readsBothByteOrdersAndBothTimestampUnits() throws IOException {
        byte[] p1 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        byte[] p2 = new byte[60];
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            for (boolean nanos : List.of(false, true)) {
                byte[] file = handMade(order, nanos, 1, p1, p2);
                try (PcapReader r = new PcapReader(new ByteArrayInputStream(file), "test")) {
                    assertEquals(order, r.byteOrder());
                    assertEquals(nanos, r.nanosecondTimestamps());
                    PcapRecord a = r.next();
                    assertArrayEquals(p1, a.data());
                    assertEquals(1000L * 1_000_000_000L + (nanos ? 123_456_789 : 123_456_000), a.timestampNanos());
                    assertArrayEquals(p2, r.next().data());
                    assertNull(r.next());
                }
            }
        }
    }

    @Test
    void malformedFilesFailWithPreciseErrors() {
        byte[] good = handMade(ByteOrder.LITTLE_ENDIAN, false, 1, new byte[20]);
        IOException e = assertThrows(IOException.class,
                () -> new PcapReader(new ByteArrayInputStream(new byte[10]), "tiny").next());
        assertTrue(e.getMessage().contains("shorter than the 24-byte header"), e.getMessage());
        e = assertThrows(IOException.class, () -> new PcapReader(new ByteArrayInputStream(new byte[24]), "zero"));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        e = assertThrows(IOException.class, () -> new PcapReader(
                new ByteArrayInputStream(handMade(ByteOrder.LITTLE_ENDIAN, false, 101, new byte[20])), "raw"));
        assertTrue(e.getMessage().contains("link type 101"), e.getMessage());
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 3);
        e = assertThrows(IOException.class, () -> {
            try (PcapReader r = new PcapReader(new ByteArrayInputStream(cut), "cut")) {
                r.next();
            }
        });
        assertTrue(e.getMessage().contains("record 0 data truncated"), e.getMessage());
    }

    @Test
    void writerOutputIsReadBack() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(out, true)) {
            w.write(new PcapRecord(5_000_000_123L, new byte[] {1, 2, 3}));
        }
        try (PcapReader r = new PcapReader(new ByteArrayInputStream(out.toByteArray()), "mem")) {
            PcapRecord rec = r.next();
            assertEquals(5_000_000_123L, rec.timestampNanos());
            assertArrayEquals(new byte[] {1, 2, 3}, rec.data());
        }
    }

    @Test
    void portReplaysIntoFramesAndWritesWhatItTransmits() throws IOException {
        Path in = dir.resolve("in.pcap");
        Path out = dir.resolve("out.pcap");
        byte[] a = new byte[64];
        a[0] = 7;
        byte[] b = new byte[1514];
        b[1513] = 9;
        byte[] huge = new byte[4000];
        Files.write(in, handMade(ByteOrder.BIG_ENDIAN, false, 1, a, huge, b));
        try (FrameSlab slab = new FrameSlab(16); PcapPort port = PcapPort.open(3, "p", 1500, in, out)) {
            FrameCache cache = new FrameCache(new FramePool(slab), 8);
            PacketVector v = new PacketVector(8);
            assertEquals(2, port.receive(0, v, cache));
            assertEquals(1, port.counters().drops(PortDropReason.OVERSIZE));
            assertEquals(64, slab.length(v.frame(0)));
            assertEquals(3, slab.inPort(v.frame(0)));
            assertEquals(1514, slab.length(v.frame(1)));
            assertEquals(2, port.transmit(0, v, cache));
            assertEquals(0, v.size());
            assertEquals(2, port.counters().txPackets());
        }
        List<PcapRecord> written = PcapReader.readAll(out);
        assertEquals(2, written.size());
        assertArrayEquals(a, written.get(0).data());
        assertArrayEquals(b, written.get(1).data());
    }
}
