package io.podswitch.port.pcap;

/**
 * The classic libpcap file format (what tcpdump -w writes; draft-ietf-opsawg-pcap).
 *
 * <pre>
 *  global header (24 bytes, in the writer's byte order, told apart by the magic)
 *  +---------------+-------+-------+---------------+---------------+---------------+---------------+
 *  | magic         | major | minor | thiszone      | sigfigs       | snaplen       | linktype      |
 *  +---------------+-------+-------+---------------+---------------+---------------+---------------+
 *  0               4       6       8               12              16              20              24
 *
 *  per packet record (16 bytes + captured data)
 *  +---------------+---------------+---------------+---------------+------------------------
 *  | ts seconds    | ts µs or ns   | captured len  | original len  | packet bytes ...
 *  +---------------+---------------+---------------+---------------+------------------------
 *  0               4               8               12              16
 * </pre>
 * magic a1b2c3d4: microsecond timestamps; a1b23c4d: nanosecond timestamps. Read as d4c3b2a1 /
 * 4d3cb2a1 the file was written in the other byte order.
 */
final class PcapFormat {
    static final int MAGIC_MICROS = 0xa1b2_c3d4;
    static final int MAGIC_NANOS = 0xa1b2_3c4d;
    static final int GLOBAL_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    static final int LINKTYPE_ETHERNET = 1;
    static final int VERSION_MAJOR = 2;
    static final int VERSION_MINOR = 4;
    static final int DEFAULT_SNAPLEN = 262_144;

    private PcapFormat() {
    }
}
