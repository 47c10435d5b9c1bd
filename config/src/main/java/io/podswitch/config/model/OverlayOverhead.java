package io.podswitch.config.model;

import io.podswitch.config.cidr.IpFamily;

/**
 * Bytes an encapsulated pod packet grows by on the uplink. For VXLAN and Geneve without options:
 * <pre>
 *   outer Ethernet is not counted (MTU is an L3 size), so:
 *   +-------------------+-----+--------------+------------------+
 *   | outer IPv4 20     | UDP | VXLAN/Geneve | inner Ethernet   |  = 20 + 8 + 8 + 14 = 50
 *   | outer IPv6 40     |  8  |      8       |       14         |  = 40 + 8 + 8 + 14 = 70
 *   +-------------------+-----+--------------+------------------+
 * </pre>
 */
public final class OverlayOverhead {

    public static final int OVER_IPV4_BYTES = 50;
    public static final int OVER_IPV6_BYTES = 70;

    private OverlayOverhead() {
    }

    public static int bytes(OverlayMode mode, IpFamily underlayFamily) {
        if (!mode.encapsulates()) {
            return 0;
        }
        return underlayFamily == IpFamily.IPV4 ? OVER_IPV4_BYTES : OVER_IPV6_BYTES;
    }
}
