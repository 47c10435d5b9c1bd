package io.podswitch.nativeio.bpf;

import io.podswitch.nativeio.Bpf;

/**
 * The (address, protocol, port) pairs of services reached from outside on addresses that are not the
 * node's own — {@code externalIPs} and load-balancer ingress IPs — as two BPF hash maps the uplink's XDP
 * program looks packets up in (see {@link XdpPrograms}): a match goes to the switch, everything else to the
 * node's kernel as before. Maps, not constants in the program: services change without the program being
 * replaced. Control thread only; the kernel makes every update atomic for the program.
 *
 * <pre>
 *   IPv4 key, 8 bytes    0 address (4, network order)  4 port (2, network order)  6 protocol  7 zero
 *   IPv6 key, 20 bytes   0 address (16, network order) 16 port (2, network order) 18 protocol 19 zero
 *   value, 1 byte        1
 * </pre>
 */
public final class ServiceAddressMaps implements AutoCloseable {
    public static final int KEY4 = 8;
    public static final int KEY6 = 20;
    /** Entries per family: external and load-balancer IP × port pairs. */
    public static final int MAX_ENTRIES = 65536;
    private static final byte[] VALUE = {1};

    private final int map4;
    private final int map6;
    private boolean closed;

    private ServiceAddressMaps(int map4, int map6) {
        this.map4 = map4;
        this.map6 = map6;
    }

    /** Creates both maps (needs CAP_BPF or root). */
    public static ServiceAddressMaps create(String name) {
        int map4 = Bpf.createHashMap(name + "_a4", KEY4, 1, MAX_ENTRIES);
        try {
            return new ServiceAddressMaps(map4, Bpf.createHashMap(name + "_a6", KEY6, 1, MAX_ENTRIES));
        } catch (RuntimeException e) {
            Bpf.close(map4);
            throw e;
        }
    }

    public int ipv4MapFd() {
        return map4;
    }

    public int ipv6MapFd() {
        return map6;
    }

    /** Steers TCP ({@code protocol} 6) or UDP (17) to {@code address} (4 or 16 bytes) on {@code port}. */
    public void add(int protocol, byte[] address, int port) {
        Bpf.updateElement(fd(address), key(protocol, address, port), VALUE, "service address " + describe(address, port));
    }

    public void remove(int protocol, byte[] address, int port) {
        Bpf.deleteElement(fd(address), key(protocol, address, port), "service address " + describe(address, port));
    }

    private int fd(byte[] address) {
        if (closed) {
            throw new IllegalStateException("service address maps are closed");
        }
        return address.length == 4 ? map4 : map6;
    }

    /** The key for the map of the address's family (see the class comment). */
    public static byte[] key(int protocol, byte[] address, int port) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an address is 4 or 16 bytes: " + address.length);
        }
        if (protocol != 6 && protocol != 17) {
            throw new IllegalArgumentException("TCP (6) or UDP (17) only: " + protocol);
        }
        byte[] key = new byte[address.length == 4 ? KEY4 : KEY6];
        System.arraycopy(address, 0, key, 0, address.length);
        key[address.length] = (byte) (port >>> 8);
        key[address.length + 1] = (byte) port;
        key[address.length + 2] = (byte) protocol;
        return key;
    }

    private static String describe(byte[] address, int port) {
        StringBuilder b = new StringBuilder();
        for (byte x : address) {
            b.append(String.format("%02x", x));
        }
        return b + " port " + port;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Bpf.close(map4);
            Bpf.close(map6);
        }
    }
}
