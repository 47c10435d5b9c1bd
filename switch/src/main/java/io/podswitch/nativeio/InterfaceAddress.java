package io.podswitch.nativeio;

import java.net.InetAddress;

/** An address assigned to an interface, as an RTM_GETADDR dump reports it. */
public record InterfaceAddress(int ifindex, InetAddress address, int prefixLength) {
    @Override
    public String toString() {
        return AddressText.of(address) + "/" + prefixLength;
    }
}
