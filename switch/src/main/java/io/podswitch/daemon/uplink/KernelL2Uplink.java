package io.podswitch.daemon.uplink;

import io.podswitch.port.Port;

/**
 * An uplink whose port hands datagrams to the kernel (a UDP socket on the tunnel port): the kernel
 * routes and resolves the underlay, so the switch's outer Ethernet header is a placeholder. The port
 * must present received tunnel datagrams as frames with outer Ethernet destination {@link #mac()}
 * ({@link UplinkAttachment#KERNEL_L2_MAC}), outer IP destination one of the node's addresses and UDP
 * destination the tunnel port — so overlay-decap takes them unchanged — and strip the outer Ethernet,
 * IP and UDP headers on transmit, sending the rest to the outer destination address and port.
 */
public final class KernelL2Uplink implements UplinkAttachment {
    private final Port port;
    private final String interfaceName;
    private final int mtu;

    /**
     * @param interfaceName the NIC the kernel reaches the other nodes through (for the MTU and the logs)
     * @param mtu           that NIC's MTU
     */
    public KernelL2Uplink(Port port, String interfaceName, int mtu) {
        this.port = port;
        this.interfaceName = interfaceName;
        this.mtu = mtu;
    }

    @Override
    public Port port() {
        return port;
    }

    @Override
    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public long mac() {
        return KERNEL_L2_MAC;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public boolean needsNextHopMacs() {
        return false;
    }

    @Override
    public void close() {
        port.close();
    }
}
