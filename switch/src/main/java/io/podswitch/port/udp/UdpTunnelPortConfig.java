package io.podswitch.port.udp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * How to open a {@link UdpTunnelPort}.
 *
 * @param name the port's name (counters, errors), 1-32 of {@code [A-Za-z0-9_.-]}
 * @param local4 the node's IPv4 underlay address to bind (the outer source of tunnel traffic), or null
 * @param local6 the node's IPv6 underlay address to bind, or null; at least one of the two
 * @param udpPort the tunnel's UDP port, bound on each address: 4789 (VXLAN) or 6081 (Geneve)
 * @param mac the MAC of the uplink {@code Interface}: received frames are addressed to it
 * @param mtu the underlay MTU (largest outer IP packet sent); at most {@link #MAX_MTU}
 * @param queues receive queues: sockets per address, bound with SO_REUSEPORT when more than one, so the
 *     kernel spreads peers (by their address and port) over the queues; each queue is polled by one worker
 * @param socketBufferBytes SO_RCVBUF / SO_SNDBUF (forced past the sysctl limits when running as root)
 * @param gso send runs of equal-size datagrams to one destination as one UDP GSO message
 */
public record UdpTunnelPortConfig(String name, InetAddress local4, InetAddress local6, int udpPort, long mac,
                                  int mtu, int queues, int socketBufferBytes, boolean gso) {
    /** Received outer packets must fit a 2 KiB frame after the synthesised headers, as on the TAP. */
    public static final int MAX_MTU = 1500;
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 << 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    public UdpTunnelPortConfig {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("UDP tunnel port name must be 1-32 of [A-Za-z0-9_.-]: '" + name + "'");
        }
        if (local4 == null && local6 == null) {
            throw new IllegalArgumentException("UDP tunnel port " + name + ": no local address (IPv4, IPv6 or both)");
        }
        if (local4 != null && !(local4 instanceof Inet4Address)) {
            throw new IllegalArgumentException("UDP tunnel port " + name + ": local4 " + local4 + " is not IPv4");
        }
        if (local6 != null && !(local6 instanceof Inet6Address)) {
            throw new IllegalArgumentException("UDP tunnel port " + name + ": local6 " + local6 + " is not IPv6");
        }
        for (InetAddress a : new InetAddress[] {local4, local6}) {
            if (a != null && (a.isAnyLocalAddress() || a.isMulticastAddress())) {
                throw new IllegalArgumentException("UDP tunnel port " + name + ": local address " + a.getHostAddress()
                        + " must be a unicast address of this node (received frames are addressed to it)");
            }
        }
        if (udpPort < 1 || udpPort > 0xffff) {
            throw new IllegalArgumentException("UDP tunnel port " + name + ": UDP port " + udpPort + " outside [1, 65535]");
        }
        if (mac == 0 || (mac >>> 48) != 0 || ((mac >>> 40) & 1) != 0) {
            throw new IllegalArgumentException("UDP tunnel port " + name + ": not a unicast 48-bit MAC: 0x"
                    + Long.toHexString(mac));
        }
        int minMtu = local6 != null ? 1280 : 576;
        if (mtu < minMtu || mtu > MAX_MTU) {
            throw new IllegalArgumentException("UDP tunnel port " + name + ": MTU " + mtu + " outside [" + minMtu
                    + ", " + MAX_MTU + "]");
        }
        if (queues < 1 || queues > 64) {
            throw new IllegalArgumentException("UDP tunnel port " + name + ": queues " + queues + " outside [1, 64]");
        }
        if (socketBufferBytes < 64 * 1024 || socketBufferBytes > 1 << 30) {
            throw new IllegalArgumentException("UDP tunnel port " + name + ": socket buffer " + socketBufferBytes
                    + " bytes outside [64 KiB, 1 GiB]");
        }
    }

    /** One queue, default buffers, GSO on (measured best, see docs/overlay.md, "udp uplink"). */
    public static UdpTunnelPortConfig of(String name, InetAddress local4, InetAddress local6, int udpPort, long mac,
                                         int mtu) {
        return new UdpTunnelPortConfig(name, local4, local6, udpPort, mac, mtu, 1, DEFAULT_SOCKET_BUFFER_BYTES, true);
    }

    /** The same configuration with GSO on or off. */
    public UdpTunnelPortConfig withGso(boolean on) {
        return new UdpTunnelPortConfig(name, local4, local6, udpPort, mac, mtu, queues, socketBufferBytes, on);
    }

    /** The same configuration with {@code n} receive queues. */
    public UdpTunnelPortConfig withQueues(int n) {
        return new UdpTunnelPortConfig(name, local4, local6, udpPort, mac, mtu, n, socketBufferBytes, gso);
    }
}
