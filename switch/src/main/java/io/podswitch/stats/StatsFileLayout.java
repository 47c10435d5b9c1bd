package io.podswitch.stats;

/**
 * The binary layout of the stats file, shared by the writer ({@link StatsFile}) and every reader
 * ({@link StatsReader}, possibly another process). Modelled on Aeron's CnC file: a small header, then
 * Agrona {@code CountersManager} metadata and values buffers. All numbers little-endian (native).
 *
 * <pre>
 *  0         4         8            12           16       24            32            40    128
 *  +---------+---------+------------+------------+--------+-------------+-------------+-----+
 *  | magic   | version | metadata   | values     | pid    | start time  | heartbeat   | res |
 *  | "PSST"  | (last)  | length     | length     | (long) | epoch ms    | epoch ms    |     |
 *  +---------+---------+------------+------------+--------+-------------+-------------+-----+
 *  128                                      128 + metadata length           + values length
 *  +----------------------------------------+------------------------------+
 *  | counters metadata: 512 bytes / counter | counters values: 128 / counter|
 *  | (state, type id, key, label)           | (one long, padded)           |
 *  +----------------------------------------+------------------------------+
 * </pre>
 *
 * The writer fills everything, then stores the version with release semantics: a reader that sees a
 * non-zero version sees a complete header. The heartbeat is refreshed at every publish; a reader
 * calls the file stale when it is too old (the writer died or hangs).
 */
public final class StatsFileLayout {
    public static final int MAGIC = 0x54535350; // "PSST" as little-endian bytes
    public static final int VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int METADATA_LENGTH_OFFSET = 8;
    public static final int VALUES_LENGTH_OFFSET = 12;
    public static final int PID_OFFSET = 16;
    public static final int START_TIME_OFFSET = 24;
    public static final int HEARTBEAT_OFFSET = 32;
    public static final int HEADER_LENGTH = 128;
    public static final String DEFAULT_PATH = "/run/podswitch/stats";
    /** Counter type id of podswitch counters in the metadata. */
    public static final int COUNTER_TYPE_ID = 1;

    private StatsFileLayout() {
    }
}
