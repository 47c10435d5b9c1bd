package io.podswitch.nativeio;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A unicast route in the main table.
 * @param destination network address; host bits beyond the prefix must be zero (the kernel refuses them)
 * @param prefixLength 0 for the default route
 * @param gateway next hop, or null for a directly connected route (scope link)
 * @param device output interface name, or null to let the kernel pick it from the gateway
 * @param onLink trust that the gateway is on the device's link even without a connected route
 */
public record Route(InetAddress destination, int prefixLength, InetAddress gateway, String device, boolean onLink) {
    public Route {
        Objects.requireNonNull(destination, "destination");
        int bits = destination.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range [0, " + bits + "]");
        }
        byte[] d = destination.getAddress();
        for (int bit = prefixLength; bit < bits; bit++) {
            if ((d[bit >>> 3] & (0x80 >>> (bit & 7))) != 0) {
                throw new IllegalArgumentException("route " + AddressText.of(destination) + "/" + prefixLength
                        + " has host bits set beyond the prefix");
            }
        }
        if (gateway != null && gateway.getAddress().length != destination.getAddress().length) {
            throw new IllegalArgumentException("gateway " + AddressText.of(gateway)
                    + " is not of the same family as " + AddressText.of(destination));
        }
        if (gateway == null && device == null) {
            throw new IllegalArgumentException("a route needs a gateway or a device");
        }
        if (onLink && (gateway == null || device == null)) {
            throw new IllegalArgumentException("an onlink route needs both a gateway and a device");
        }
    }

    /** The default route (0.0.0.0/0 or ::/0, by the gateway's family) via {@code gateway}. */
    public static Route defaultVia(InetAddress gateway, String device, boolean onLink) {
        byte[] zero = new byte[gateway.getAddress().length];
        try {
            return new Route(InetAddress.getByAddress(zero), 0, gateway, device, onLink);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return AddressText.of(destination) + "/" + prefixLength
                + (gateway == null ? "" : " via " + AddressText.of(gateway))
                + (device == null ? "" : " dev " + device)
                + (onLink ? " onlink" : "");
    }
}
