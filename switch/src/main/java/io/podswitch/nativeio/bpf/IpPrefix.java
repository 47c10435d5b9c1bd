package io.podswitch.nativeio.bpf;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 destination prefix for an XDP filter, e.g. {@code 10.244.0.0/16} or
 * {@code fd00:10:244::/56}. Host bits are cleared on construction.
 */
public final class IpPrefix {
    private final byte[] address;
    private final int length;

    public IpPrefix(byte[] address, int length) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes: " + address.length);
        }
        if (length < 0 || length > address.length * 8) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for a "
                    + (address.length * 8) + "-bit address");
        }
        this.address = address.clone();
        this.length = length;
        for (int bit = length; bit < address.length * 8; bit++) {
            this.address[bit >> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
    }

    /** Parses {@code address/length} where address is a numeric IPv4 or IPv6 literal (no name lookups). */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("prefix must look like address/length: '" + text + "'");
        }
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address literal in prefix '" + text + "'", e);
        }
        int length;
        try {
            length = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix length is not a number in '" + text + "'", e);
        }
        return new IpPrefix(address.getAddress(), length);
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    public int length() {
        return length;
    }

    /** The network address bytes (a copy), host bits zero. */
    public byte[] address() {
        return address.clone();
    }

    /** Bits {@code [32*i, 32*i+32)} of the address as a big-endian int. */
    int word(int i) {
        return ((address[4 * i] & 0xff) << 24) | ((address[4 * i + 1] & 0xff) << 16)
                | ((address[4 * i + 2] & 0xff) << 8) | (address[4 * i + 3] & 0xff);
    }

    @Override
    public String toString() {
        try {
            String a = InetAddress.getByAddress(address).getHostAddress();
            return a + "/" + length;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.length == length && Arrays.equals(p.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + length;
    }
}
