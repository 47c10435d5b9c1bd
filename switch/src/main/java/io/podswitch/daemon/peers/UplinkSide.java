package io.podswitch.daemon.peers;

/**
 * What the peer manager needs of the uplink: the switch port tunnel and direct traffic leaves by, its
 * source MAC and IP MTU, and whether the kernel routes direct traffic (a UDP-socket uplink in direct
 * mode: the switch then hands remote pod traffic to the host TAP and installs kernel routes instead).
 */
public record UplinkSide(int portId, String interfaceName, long mac, int mtu, boolean kernelRoutesDirect) {
}
