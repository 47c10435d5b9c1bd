package io.podswitch.service;

/**
 * A 64-bit hash of a flow's 5-tuple, identical in every process and on every node: fixed constants, no
 * seeds, no {@link Object#hashCode()}. Maglev needs this so that two nodes send the same flow to the same
 * backend, and conntrack uses it to place entries. Allocation-free.
 *
 * <p>IPv4 addresses are hashed as their IPv4-mapped IPv6 form ({@code ::ffff:a.b.c.d}), so one function
 * covers both families and an IPv4 flow can never collide with an IPv6 flow by construction of the key
 * (the hash itself can collide, as any hash can; conntrack compares full keys).
 */
public final class FlowHash {
    /** The high 64 bits of an IPv4-mapped IPv6 address are zero. */
    public static final long IPV4_MAPPED_HIGH = 0L;
    private static final long IPV4_MAPPED_PREFIX = 0x0000_ffff_0000_0000L;

    private FlowHash() {}

    /** The low 64 bits of the IPv4-mapped IPv6 form of {@code address}. */
    public static long ipv4MappedLow(int address) {
        return IPV4_MAPPED_PREFIX | (address & 0xffff_ffffL);
    }

    public static long hash4(int protocol, int source, int destination, int sourcePort, int destinationPort) {
        return hash6(protocol, IPV4_MAPPED_HIGH, ipv4MappedLow(source), IPV4_MAPPED_HIGH, ipv4MappedLow(destination),
            sourcePort, destinationPort);
    }

    public static long hash6(int protocol, long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
                             int sourcePort, int destinationPort) {
        long h = 0x9E37_79B9_7F4A_7C15L ^ ((long) (protocol & 0xff) << 32 | (sourcePort & 0xffffL) << 16 | (destinationPort & 0xffffL));
        h = mix(h ^ sourceHigh);
        h = mix(h ^ sourceLow);
        h = mix(h ^ destinationHigh);
        h = mix(h ^ destinationLow);
        return mix(h);
    }

    /** The murmur3 64-bit finaliser (fmix64): every input bit affects every output bit. */
    static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51_afd7_ed55_8ccdL;
        k ^= k >>> 33;
        k *= 0xc4ce_b9fe_1a85_ec53L;
        k ^= k >>> 33;
        return k;
    }
}
