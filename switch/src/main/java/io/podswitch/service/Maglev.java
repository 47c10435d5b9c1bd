package io.podswitch.service;

import java.util.List;

/**
 * The current Maglev table of one service, published by the control thread and read by workers.
 *
 * <p>The control thread builds a complete new {@link MaglevTable} and swaps it in with one volatile write;
 * a worker reads the reference once per packet vector and uses that table for the whole vector, so it
 * never sees a half-built table. The old table is unreachable once every worker has passed a quiescent
 * point (the next vector), which is exactly the QSBR grace period; since tables are on-heap the garbage
 * collector does the reclaiming, and nothing has to wait on the workers.
 */
public final class Maglev {
    private final int size;
    private volatile MaglevTable table;

    /** An empty table of {@code size} slots (a prime; {@link MaglevTable#DEFAULT_SIZE} in production). */
    public Maglev(int size) {
        this.table = MaglevTable.build(List.of(), size);
        this.size = size;
    }

    /** Control thread: builds the table for {@code backends} and publishes it whole. */
    public MaglevTable publish(List<MaglevBackend> backends) {
        MaglevTable built = MaglevTable.build(backends, size);
        table = built;
        return built;
    }

    /** Worker: the table to use for the current vector. */
    public MaglevTable table() {
        return table;
    }

    /** Worker: one-off lookup in the current table ({@link MaglevTable#NO_BACKEND} if none). */
    public int lookup(long flowHash) {
        return table.lookup(flowHash);
    }
}
