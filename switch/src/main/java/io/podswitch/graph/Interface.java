package io.podswitch.graph;

import io.podswitch.packet.Ethernet;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;
import io.podswitch.port.Port;

import java.util.Arrays;

/**
 * The L3 face of a port: its MAC, MTU, the switch's own (gateway) addresses on it and whether it
 * carries one 802.1Q VLAN. Immutable; built on the control thread with {@link #builder}.
 *
 * <p>Two per-port policies the daemon sets:
 * <ul>
 *   <li><b>source guard</b> (pod ports): the port accepts only frames whose Ethernet source, ARP
 *       sender, IPv4/IPv6 source and ND link-layer/target fields are the pod's own MAC and
 *       addresses (IPv6 link-local and, for duplicate address detection, unspecified sources are
 *       allowed), so one pod cannot impersonate another pod or the gateway;</li>
 *   <li><b>proxy neighbours</b> (the host port): the switch answers ARP requests and neighbour
 *       solicitations for any target with its own MAC, so the node's kernel, which routes the pod
 *       CIDRs onto the host TAP as connected networks, reaches every pod through the switch.</li>
 * </ul>
 */
public final class Interface {
    /** No VLAN: tagged frames are dropped and counted. */
    public static final int UNTAGGED = -1;

    private final Port port;
    private final long mac;
    private final int mtu;
    private final int[] ip4;
    private final long[] ip6High;
    private final long[] ip6Low;
    private final int vlan;
    private final long guardMac;
    private final int[] guardIp4;
    private final long[] guardIp6High;
    private final long[] guardIp6Low;
    private final boolean proxyNeighbors;
    private final boolean uplink;
    private final int[] hostIp4;
    private final long[] hostIp6High;
    private final long[] hostIp6Low;

    private Interface(Builder b) {
        this.port = b.port;
        this.mac = b.mac;
        this.mtu = b.mtu > 0 ? b.mtu : b.port.mtu();
        this.ip4 = Arrays.copyOf(b.ip4, b.ip4Count);
        this.ip6High = Arrays.copyOf(b.ip6High, b.ip6Count);
        this.ip6Low = Arrays.copyOf(b.ip6Low, b.ip6Count);
        this.vlan = b.vlan;
        this.guardMac = b.guardMac;
        this.guardIp4 = b.guardIp4.clone();
        this.guardIp6High = b.guardIp6High.clone();
        this.guardIp6Low = b.guardIp6Low.clone();
        this.proxyNeighbors = b.proxyNeighbors;
        this.uplink = b.uplink;
        this.hostIp4 = b.hostIp4.clone();
        this.hostIp6High = b.hostIp6High.clone();
        this.hostIp6Low = b.hostIp6Low.clone();
    }

    /** Is a source guard set (a pod port)? */
    public boolean guarded() {
        return guardMac != 0;
    }

    /** May a frame from this port carry {@code mac} as Ethernet source / ARP sender / ND link-layer? */
    public boolean allowsSourceMac(long mac) {
        return guardMac == 0 || mac == guardMac;
    }

    /** May a packet from this port carry {@code address} as its IPv4 source (or ARP sender)? */
    public boolean allowsIp4Source(int address) {
        if (guardMac == 0) {
            return true;
        }
        for (int a : guardIp4) {
            if (a == address) {
                return true;
            }
        }
        return false;
    }

    /** May a packet from this port carry the IPv6 source (or ND target)? Link-local and :: always may. */
    public boolean allowsIp6Source(long high, long low) {
        if (guardMac == 0 || Ip6.isLinkLocal(high) || Ip6.isUnspecified(high, low)) {
            return true;
        }
        for (int i = 0; i < guardIp6High.length; i++) {
            if (guardIp6High[i] == high && guardIp6Low[i] == low) {
                return true;
            }
        }
        return false;
    }

    /** Does the switch answer ARP/NS for every target on this port (the host port)? */
    public boolean proxiesNeighbors() {
        return proxyNeighbors;
    }

    /** Does tunnel traffic (VXLAN/Geneve to one of this port's addresses) arrive here for decapsulation? */
    public boolean uplink() {
        return uplink;
    }

    /**
     * Whether an IPv4 packet from {@code source} arriving here came from outside the node: always on an uplink;
     * on the host port when its source is none of the node's own addresses on the TAP — the node's kernel
     * forwarded it (an external client's packet to a service's external IP, routed to the TAP). Allocation-free.
     */
    public boolean fromOutside4(int source) {
        if (uplink) {
            return true;
        }
        if (hostIp4.length == 0) {
            return false;
        }
        for (int a : hostIp4) {
            if (a == source) {
                return false;
            }
        }
        return true;
    }

    /** As {@link #fromOutside4} for IPv6. */
    public boolean fromOutside6(long high, long low) {
        if (uplink) {
            return true;
        }
        if (hostIp6High.length == 0) {
            return false;
        }
        for (int i = 0; i < hostIp6High.length; i++) {
            if (hostIp6High[i] == high && hostIp6Low[i] == low) {
                return false;
            }
        }
        return true;
    }

    public static Builder builder(Port port, long mac) {
        return new Builder(port, mac);
    }

    public Port port() {
        return port;
    }

    public int id() {
        return port.id();
    }

    public long mac() {
        return mac;
    }

    /** Largest IP packet sent without fragmentation. */
    public int mtu() {
        return mtu;
    }

    /** The VLAN id carried on this port (frames are tagged on the wire), or {@link #UNTAGGED}. */
    public int vlan() {
        return vlan;
    }

    public int ip4Count() {
        return ip4.length;
    }

    public int ip4(int i) {
        return ip4[i];
    }

    public int ip6Count() {
        return ip6High.length;
    }

    public long ip6High(int i) {
        return ip6High[i];
    }

    public long ip6Low(int i) {
        return ip6Low[i];
    }

    public boolean ownsIp4(int address) {
        for (int a : ip4) {
            if (a == address) {
                return true;
            }
        }
        return false;
    }

    public boolean ownsIp6(long high, long low) {
        for (int i = 0; i < ip6High.length; i++) {
            if (ip6High[i] == high && ip6Low[i] == low) {
                return true;
            }
        }
        return false;
    }

    /** Does one of our addresses map to this solicited-node group (low 24 bits)? */
    public boolean joinedSolicitedNode(long groupLow) {
        for (long low : ip6Low) {
            if ((low & 0xff_ffffL) == (groupLow & 0xff_ffffL)) {
                return true;
            }
        }
        return false;
    }

    /** Source for ICMPv6 errors: a global address if we have one, else the first. -1 if none. */
    public int ip6ErrorSource() {
        for (int i = 0; i < ip6High.length; i++) {
            if (!Ip6.isLinkLocal(ip6High[i])) {
                return i;
            }
        }
        return ip6High.length > 0 ? 0 : -1;
    }

    /** Source for neighbour solicitations: a link-local address if we have one, else the first. -1 if none. */
    public int ip6NdSource() {
        for (int i = 0; i < ip6High.length; i++) {
            if (Ip6.isLinkLocal(ip6High[i])) {
                return i;
            }
        }
        return ip6High.length > 0 ? 0 : -1;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Interface[").append(port.name()).append(" id=").append(id())
                .append(" mac=").append(Ethernet.format(mac)).append(" mtu=").append(mtu);
        for (int a : ip4) {
            b.append(' ').append(Ip4.format(a));
        }
        for (int i = 0; i < ip6High.length; i++) {
            b.append(' ').append(Ip6.format(ip6High[i], ip6Low[i]));
        }
        if (vlan != UNTAGGED) {
            b.append(" vlan=").append(vlan);
        }
        return b.append(']').toString();
    }

    /** Collects an interface's settings; validates each one as it is given. */
    public static final class Builder {
        private final Port port;
        private final long mac;
        private int mtu;
        private int[] ip4 = new int[4];
        private int ip4Count;
        private long[] ip6High = new long[4];
        private long[] ip6Low = new long[4];
        private int ip6Count;
        private int vlan = UNTAGGED;
        private long guardMac;
        private int[] guardIp4 = new int[0];
        private long[] guardIp6High = new long[0];
        private long[] guardIp6Low = new long[0];
        private boolean proxyNeighbors;
        private boolean uplink;
        private int[] hostIp4 = new int[0];
        private long[] hostIp6High = new long[0];
        private long[] hostIp6Low = new long[0];

        private Builder(Port port, long mac) {
            if (port == null) {
                throw new IllegalArgumentException("interface needs a port");
            }
            if ((mac & ~Ethernet.BROADCAST) != 0 || Ethernet.isMulticast(mac) || mac == 0) {
                throw new IllegalArgumentException("port " + port.name() + ": interface MAC must be a unicast "
                        + "48-bit address: " + Long.toHexString(mac));
            }
            this.port = port;
            this.mac = mac;
        }

        /** Overrides the port's MTU (for example a smaller one than the link's). */
        public Builder mtu(int bytes) {
            if (bytes < 68 || bytes > 65_535) {
                throw new IllegalArgumentException("port " + port.name() + ": MTU out of range [68, 65535]: " + bytes);
            }
            this.mtu = bytes;
            return this;
        }

        public Builder ip4(int address) {
            if (Ip4.isMartianSource(address)) {
                throw new IllegalArgumentException("port " + port.name() + ": not a unicast IPv4 address: "
                        + Ip4.format(address));
            }
            if (ip4Count == ip4.length) {
                ip4 = Arrays.copyOf(ip4, ip4Count * 2);
            }
            ip4[ip4Count++] = address;
            return this;
        }

        public Builder ip4(String address) {
            return ip4(Ip4.parse(address));
        }

        public Builder ip6(long high, long low) {
            if (Ip6.isMulticast(high) || Ip6.isUnspecified(high, low) || Ip6.isLoopback(high, low)) {
                throw new IllegalArgumentException("port " + port.name() + ": not a unicast IPv6 address: "
                        + Ip6.format(high, low));
            }
            if (ip6Count == ip6High.length) {
                ip6High = Arrays.copyOf(ip6High, ip6Count * 2);
                ip6Low = Arrays.copyOf(ip6Low, ip6Count * 2);
            }
            ip6High[ip6Count] = high;
            ip6Low[ip6Count++] = low;
            return this;
        }

        public Builder ip6(String address) {
            long[] a = Ip6.parse(address);
            return ip6(a[0], a[1]);
        }

        /** Carries VLAN {@code id} tagged on the wire: tagged frames of that VLAN are accepted. */
        public Builder vlan(int id) {
            if (id < 1 || id > 4094) {
                throw new IllegalArgumentException("port " + port.name() + ": VLAN id out of range [1, 4094]: " + id);
            }
            this.vlan = id;
            return this;
        }

        /**
         * Accepts from this port only frames from {@code podMac} with the given source addresses
         * (IPv4 as ints, IPv6 as high/low pairs).
         */
        public Builder sourceGuard(long podMac, int[] ip4Sources, long[] ip6SourcesHigh, long[] ip6SourcesLow) {
            if (podMac == 0 || Ethernet.isMulticast(podMac) || (podMac & ~Ethernet.BROADCAST) != 0) {
                throw new IllegalArgumentException("port " + port.name() + ": guard MAC must be a unicast 48-bit address");
            }
            if (ip6SourcesHigh.length != ip6SourcesLow.length) {
                throw new IllegalArgumentException("IPv6 guard halves differ in length");
            }
            this.guardMac = podMac;
            this.guardIp4 = ip4Sources.clone();
            this.guardIp6High = ip6SourcesHigh.clone();
            this.guardIp6Low = ip6SourcesLow.clone();
            return this;
        }

        /** Answers ARP and neighbour solicitations for every target (the host port). */
        public Builder proxyNeighbors(boolean on) {
            this.proxyNeighbors = on;
            return this;
        }

        /**
         * Marks the host port with the node's own addresses on its kernel side: traffic from any other source
         * arriving here was forwarded by the node's kernel from outside (see {@link Interface#fromOutside4}).
         */
        public Builder hostAddresses(int[] ip4, long[] ip6High, long[] ip6Low) {
            if (ip6High.length != ip6Low.length) {
                throw new IllegalArgumentException("IPv6 host address halves differ in length");
            }
            this.hostIp4 = ip4.clone();
            this.hostIp6High = ip6High.clone();
            this.hostIp6Low = ip6Low.clone();
            return this;
        }

        /** Marks the node's underlay port: UDP to a tunnel port addressed to this port is decapsulated. */
        public Builder uplink(boolean on) {
            this.uplink = on;
            return this;
        }

        public Interface build() {
            return new Interface(this);
        }
    }
}
