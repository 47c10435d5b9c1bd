package io.podswitch.nativeio;

/**
 * A network interface as rtnetlink reports it.
 * @param index the ifindex
 * @param mac the hardware address in the low 48 bits (0 when the link has none)
 * @param flags IFF_* flags (IFF_UP = 1)
 */
public record LinkInfo(int index, String name, int mtu, long mac, int flags) {
    public boolean isUp() {
        return (flags & NetlinkLayouts.IFF_UP) != 0;
    }

    /** Administratively up and with carrier. */
    public boolean isRunning() {
        return isUp() && (flags & NetlinkLayouts.IFF_RUNNING) != 0;
    }
}
