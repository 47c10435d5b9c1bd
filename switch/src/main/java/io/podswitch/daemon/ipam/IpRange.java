package io.podswitch.daemon.ipam;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One family's pool of pod addresses: a node's pod CIDR minus the addresses a pod never gets — the
 * network address, the gateway (the first host address, which the switch answers ARP/ND for) and,
 * for IPv4, the broadcast address.
 *
 * <pre>
 *   10.244.1.0/24:  .0 network | .1 gateway (switch) | .2 ... .254 pods | .255 broadcast
 *   fd00:10:244:1::/64: ::0 network | ::1 gateway | ::2 ... ::ffff:ffff:ffff:ffff pods
 * </pre>
 */
public final class IpRange {
    private final boolean ipv4;
    private final BigInteger network;
    private final int prefixLength;
    private final BigInteger first;
    private final BigInteger last;

    public IpRange(InetAddress network, int prefixLength) {
        this.ipv4 = network instanceof Inet4Address;
        int bits = ipv4 ? 32 : 128;
        if (prefixLength < 0 || prefixLength > bits - 2) {
            throw new IllegalArgumentException("pod range " + network.getHostAddress() + "/" + prefixLength
                    + " is too small to hold a gateway and a pod");
        }
        BigInteger value = new BigInteger(1, network.getAddress());
        BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefixLength).subtract(BigInteger.ONE);
        if (!value.and(hostMask).equals(BigInteger.ZERO)) {
            throw new IllegalArgumentException("pod range " + network.getHostAddress() + "/" + prefixLength
                    + " has host bits set");
        }
        this.network = value;
        this.prefixLength = prefixLength;
        this.first = value.add(BigInteger.TWO);
        BigInteger top = value.add(hostMask);
        this.last = ipv4 ? top.subtract(BigInteger.ONE) : top;
    }

    public static IpRange parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR: " + cidr);
        }
        return new IpRange(IpAddresses.parse(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)));
    }

    public boolean isIpv4() {
        return ipv4;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public InetAddress gateway() {
        return toAddress(network.add(BigInteger.ONE));
    }

    public InetAddress networkAddress() {
        return toAddress(network);
    }

    public BigInteger first() {
        return first;
    }

    public BigInteger last() {
        return last;
    }

    /** How many pod addresses the range holds. */
    public BigInteger size() {
        return last.subtract(first).add(BigInteger.ONE);
    }

    public boolean isAssignable(BigInteger address) {
        return address.compareTo(first) >= 0 && address.compareTo(last) <= 0;
    }

    public InetAddress toAddress(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[ipv4 ? 4 : 16];
        int copy = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BigInteger toValue(InetAddress address) {
        return new BigInteger(1, address.getAddress());
    }

    @Override
    public String toString() {
        return toAddress(network).getHostAddress() + "/" + prefixLength;
    }
}
