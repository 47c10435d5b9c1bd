package io.podswitch.nativeio;

import java.net.InetAddress;

/**
 * A neighbour (ARP / NDP) entry.
 * @param mac the link-layer address in the low 48 bits, 0 when unresolved
 * @param state NUD_* bits (NUD_PERMANENT = 0x80, NUD_REACHABLE = 0x02 ...)
 */
public record Neighbour(int ifindex, InetAddress address, long mac, int state) {
    public boolean isPermanent() {
        return (state & NetlinkLayouts.NUD_PERMANENT) != 0;
    }
}
