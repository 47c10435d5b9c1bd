package io.podswitch.nativeio;

import io.podswitch.nativeio.bpf.IpPrefix;
import java.util.List;

/**
 * A named set of IPv4 or IPv6 address ranges ({@code type ipv4_addr; flags interval}), written as
 * prefixes; overlapping and adjacent prefixes are merged into ranges before they go to the kernel
 * (its interval sets refuse overlaps), see {@link NftIntervals}.
 *
 * @param name     the set's name in its table
 * @param ipv6     IPv6 keys (16 bytes) rather than IPv4 (4 bytes)
 * @param prefixes the members; all of the set's family
 */
public record NftSet(String name, boolean ipv6, List<IpPrefix> prefixes) {
    public NftSet {
        prefixes = List.copyOf(prefixes);
        for (IpPrefix p : prefixes) {
            if (p.isIpv4() == ipv6) {
                throw new IllegalArgumentException("set " + name + " holds " + (ipv6 ? "IPv6" : "IPv4")
                        + " prefixes, not " + p);
            }
        }
    }

    /** Key length in bytes. */
    public int keyLength() {
        return ipv6 ? 16 : 4;
    }
}
