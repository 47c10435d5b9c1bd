package io.podswitch.nativeio;

import java.net.InetAddress;

/**
 * A route of the main table as an RTM_GETROUTE dump reports it.
 * @param destination network address (0.0.0.0 / :: for a default route)
 * @param gateway next hop, or null for a directly connected route
 * @param ifindex output interface, 0 when the kernel reported none
 */
public record RouteEntry(InetAddress destination, int prefixLength, InetAddress gateway, int ifindex) {
    public boolean isDefault() {
        return prefixLength == 0;
    }
}
