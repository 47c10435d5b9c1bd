package io.podswitch.port;

/**
 * Per-port traffic counters. Single writer (the worker that owns the queue); readers (the stats
 * publisher, tests) see values published with release semantics. Bumped once per burst.
 */
public interface PortCounters {
    void received(long packets, long bytes);

    void transmitted(long packets, long bytes);

    /** Packets the port could not take or deliver (ring full, link down, frame too large...). */
    void dropped(PortDropReason reason, long packets);

    long rxPackets();

    long rxBytes();

    long txPackets();

    long txBytes();

    long drops(PortDropReason reason);
}
