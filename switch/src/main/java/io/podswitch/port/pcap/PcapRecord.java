package io.podswitch.port.pcap;

/** One captured packet: its timestamp, the captured bytes and the length it had on the wire. */
public record PcapRecord(long timestampNanos, byte[] data, int originalLength) {
    public PcapRecord {
        if (data == null) {
            throw new IllegalArgumentException("pcap record without data");
        }
        if (originalLength < data.length) {
            throw new IllegalArgumentException(
                    "original length " + originalLength + " shorter than captured " + data.length);
        }
    }

    public PcapRecord(long timestampNanos, byte[] data) {
        this(timestampNanos, data, data.length);
    }
}
