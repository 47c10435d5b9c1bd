package io.podswitch.nativeio;

/** Where in the receive path the XDP program runs. */
public enum XdpAttachMode {
    /** In the driver (veth and most NIC drivers); fastest. */
    DRIVER,
    /** On socket buffers after the driver (generic XDP): works everywhere, costs an skb per packet. */
    GENERIC,
    /** Driver mode, falling back to generic when the driver refuses. */
    AUTO
}
