package io.podswitch.config.model;

import io.podswitch.config.cidr.IpFamily;

/**
 * Inter-node transport. {@code vni} and {@code udpPort} are 0 in {@link OverlayMode#DIRECT} mode;
 * {@code underlayFamily} is the family of the node addresses tunnels run between.
 */
public record OverlayConfig(OverlayMode mode, int vni, int udpPort, int podMtu, IpFamily underlayFamily) {

    /** Bytes added per packet by the encapsulation (0 for direct). */
    public int overheadBytes() {
        return OverlayOverhead.bytes(mode, underlayFamily);
    }
}
