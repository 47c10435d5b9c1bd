package io.podswitch.port.afxdp;

import io.podswitch.nativeio.XdpLink;
import io.podswitch.nativeio.XskSocketOptions;
import io.podswitch.nativeio.bpf.XdpFilter;

/**
 * How to open an AF_XDP port.
 *
 * @param interfaceName the interface in the daemon's network namespace (a NIC, or a veth end)
 * @param queues how many receive queues to bind, 0..queues-1 (one socket each)
 * @param attachMode where the XDP program runs; AUTO tries driver mode, then generic
 * @param socket ring sizes, copy/zero-copy and need-wakeup
 * @param filter which packets to steal from the kernel; null redirects every packet
 * @param burst the most descriptors moved per receive call
 */
public record AfXdpPortConfig(String interfaceName, int queues, XdpLink.Mode attachMode, XskSocketOptions socket,
        XdpFilter filter, int burst) {
    public static final int DEFAULT_BURST = 64;

    public AfXdpPortConfig {
        if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() > 15) {
            throw new IllegalArgumentException("interface name must have 1 to 15 characters: '" + interfaceName + "'");
        }
        if (queues < 1 || queues > 256) {
            throw new IllegalArgumentException("queues must be in [1, 256]: " + queues);
        }
        if (attachMode == null || socket == null) {
            throw new IllegalArgumentException("attach mode and socket options are required");
        }
        if (burst < 1 || burst > socket.rxRingSize()) {
            throw new IllegalArgumentException("burst must be in [1, rx ring size]: " + burst);
        }
    }

    /** One queue, AUTO attach, default rings, every packet redirected. */
    public static AfXdpPortConfig of(String interfaceName) {
        return new AfXdpPortConfig(interfaceName, 1, XdpLink.Mode.AUTO, XskSocketOptions.defaults(), null, DEFAULT_BURST);
    }

    public AfXdpPortConfig withAttachMode(XdpLink.Mode mode) {
        return new AfXdpPortConfig(interfaceName, queues, mode, socket, filter, burst);
    }

    public AfXdpPortConfig withFilter(XdpFilter f) {
        return new AfXdpPortConfig(interfaceName, queues, attachMode, socket, f, burst);
    }

    public AfXdpPortConfig withSocket(XskSocketOptions options) {
        return new AfXdpPortConfig(interfaceName, queues, attachMode, options, filter, burst);
    }

    public AfXdpPortConfig withQueues(int n) {
        return new AfXdpPortConfig(interfaceName, n, attachMode, socket, filter, burst);
    }
}
