package io.podswitch.perf.bench.side;

/** What the engine does with each packet in the engine scenario. */
public enum EngineMode {
    /** Port to port without looking at headers (testpmd's io mode). */
    IO,
    /** IPv4 forwarding: parse, FIB lookup, TTL and checksum update, rewrite Ethernet. */
    IP4,
    /** IPv6 forwarding: parse, FIB lookup, hop limit, rewrite Ethernet. */
    IP6;

    public String parameter() {
        return name().toLowerCase();
    }
}
