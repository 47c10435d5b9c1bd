package io.podswitch.nativeio;

import static io.podswitch.nativeio.NetlinkLayouts.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * rtnetlink from Java: links, addresses, routes and neighbours, in the network namespace of the
 * thread that {@linkplain #open() opened} the socket (to act in another namespace, open it inside
 * {@link Netns#call}). Every request asks for an ACK; a kernel error becomes a {@link NativeException}
 * naming the operation ({@code RTM_NEWADDR}), the object ({@code 10.0.0.1/24 dev tap0}), the errno and
 * the kernel's extended-ACK message when it sent one.
 *
 * <p>Control plane only: allocates freely; one thread at a time (the methods are synchronized).
 */
public final class Netlink implements AutoCloseable {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final NetlinkSocket socket;
    private final NetlinkRequest request;
    private int sequence;

    private Netlink(NetlinkSocket socket) {
        this.socket = socket;
        this.request = socket.newRequest(BUFFER_BYTES);
        this.sequence = (int) (System.nanoTime() & 0x3fffffff);
    }

    /** Opens an rtnetlink socket in the calling thread's network namespace. */
    public static Netlink open() {
        return new Netlink(NetlinkSocket.open(NETLINK_ROUTE, "rtnetlink"));
    }

    // ---------------------------------------------------------------- links

    /** The link called {@code name}; NativeException (ENODEV) when there is none. */
    public synchronized LinkInfo link(String name) {
        Ifreq.checkName(name, "RTM_GETLINK");
        request.begin(RTM_GETLINK, NLM_F_REQUEST, ++sequence);
        request.struct(IFINFOMSG_SIZE);
        request.attrString(IFLA_IFNAME, name);
        List<LinkInfo> out = new ArrayList<>(1);
        exchange("RTM_GETLINK", name, (buf, at, len, type) -> {
            if (type == RTM_NEWLINK) {
                out.add(parseLink(buf, at, len));
            }
        }, true);
        if (out.isEmpty()) {
            throw new NativeException("RTM_GETLINK", name, Errno.ENODEV, "no such interface");
        }
        return out.get(0);
    }

    /** The link called {@code name}, or empty when it does not exist. */
    public Optional<LinkInfo> findLink(String name) {
        try {
            return Optional.of(link(name));
        } catch (NativeException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public int linkIndex(String name) {
        return link(name).index();
    }

    public synchronized void setLinkUp(String name) {
        setFlags(name, IFF_UP, "set up");
    }

    public synchronized void setLinkDown(String name) {
        setFlags(name, 0, "set down");
    }

    private void setFlags(String name, int flags, String what) {
        Ifreq.checkName(name, "RTM_SETLINK");
        request.begin(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, ++sequence);
        int ifi = request.struct(IFINFOMSG_SIZE);
        request.putInt(ifi + 8, flags);
        request.putInt(ifi + 12, IFF_UP);
        request.attrString(IFLA_IFNAME, name);
        exchange("RTM_SETLINK " + what, name, null, false);
    }

    public synchronized void setMtu(String name, int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " out of range [68, 65535] for " + name);
        }
        setLinkAttribute(name, "mtu " + mtu, r -> r.attrInt(IFLA_MTU, mtu));
    }

    /** Sets the hardware address (low 48 bits of {@code mac}). */
    public synchronized void setMac(String name, long mac) {
        setLinkAttribute(name, "address " + formatMac(mac), r -> r.attr(IFLA_ADDRESS, macBytes(mac)));
    }

    /**
     * Sets one IPv4 per-device setting (what {@code /proc/sys/net/ipv4/conf/NAME/...} shows) through
     * RTM_SETLINK: IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { [index] = value } } }.
     *
     * @param index an {@code IPV4_DEVCONF_*} index (e.g. {@link NetlinkLayouts#IPV4_DEVCONF_ACCEPT_LOCAL})
     */
    public synchronized void setIpv4DeviceConf(String name, int index, int value) {
        if (index < 1 || index > 64) {
            throw new IllegalArgumentException("IPv4 devconf index " + index + " out of range for " + name);
        }
        setLinkAttribute(name, "ipv4 devconf " + index + "=" + value, r -> {
            int spec = r.beginNested(IFLA_AF_SPEC);
            int inet = r.beginNested(Sockets.AF_INET);
            int conf = r.beginNested(IFLA_INET_CONF);
            r.attrInt(index, value);
            r.endNested(conf);
            r.endNested(inet);
            r.endNested(spec);
        });
    }

    /** Moves the link into the network namespace open as {@code netnsFd} (it goes down on the way). */
    public synchronized void moveToNetns(String name, int netnsFd) {
        setLinkAttribute(name, "netns fd " + netnsFd, r -> r.attrInt(IFLA_NET_NS_FD, netnsFd));
    }

    /** Moves the link into the network namespace of process {@code pid}. */
    public synchronized void moveToNetnsOfPid(String name, int pid) {
        setLinkAttribute(name, "netns of pid " + pid, r -> r.attrInt(IFLA_NET_NS_PID, pid));
    }

    private void setLinkAttribute(String name, String what, java.util.function.Consumer<NetlinkRequest> attr) {
        Ifreq.checkName(name, "RTM_SETLINK");
        request.begin(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, ++sequence);
        request.struct(IFINFOMSG_SIZE);
        request.attrString(IFLA_IFNAME, name);
        attr.accept(request);
        exchange("RTM_SETLINK " + what, name, null, false);
    }

    public synchronized void deleteLink(String name) {
        Ifreq.checkName(name, "RTM_DELLINK");
        request.begin(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, ++sequence);
        request.struct(IFINFOMSG_SIZE);
        request.attrString(IFLA_IFNAME, name);
        exchange("RTM_DELLINK", name, null, false);
    }

    /** Creates a veth pair {@code name} ↔ {@code peer}, both in this namespace, both down. */
    public synchronized void createVethPair(String name, String peer) {
        createVethPair(name, peer, -1);
    }

    /**
     * Creates a veth pair whose {@code peer} end is created directly inside the namespace open as
     * {@code peerNetnsFd} (-1: this namespace), as a CNI plugin wires a pod; both ends down.
     */
    public synchronized void createVethPair(String name, String peer, int peerNetnsFd) {
        Ifreq.checkName(name, "RTM_NEWLINK veth");
        Ifreq.checkName(peer, "RTM_NEWLINK veth");
        request.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ++sequence);
        request.struct(IFINFOMSG_SIZE);
        request.attrString(IFLA_IFNAME, name);
        int linkInfo = request.beginNested(IFLA_LINKINFO);
        request.attrString(IFLA_INFO_KIND, "veth");
        int data = request.beginNested(IFLA_INFO_DATA);
        int peerInfo = request.beginNested(VETH_INFO_PEER);
        request.struct(IFINFOMSG_SIZE); // the peer's ifinfomsg comes first inside VETH_INFO_PEER
        request.attrString(IFLA_IFNAME, peer);
        if (peerNetnsFd >= 0) {
            request.attrInt(IFLA_NET_NS_FD, peerNetnsFd);
        }
        request.endNested(peerInfo);
        request.endNested(data);
        request.endNested(linkInfo);
        exchange("RTM_NEWLINK veth", name + " peer " + peer
                + (peerNetnsFd >= 0 ? " in netns fd " + peerNetnsFd : ""), null, false);
    }

    // ---------------------------------------------------------------- addresses

    /**
     * Adds an address to a device. IPv6 addresses skip duplicate address detection (IFA_F_NODAD): IPAM
     * hands out unique addresses, and DAD would only hold the address back for a second or two.
     */
    public synchronized void addAddress(String device, InetAddress address, int prefixLength) {
        address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, device, address, prefixLength);
    }

    public synchronized void deleteAddress(String device, InetAddress address, int prefixLength) {
        address(RTM_DELADDR, 0, device, address, prefixLength);
    }

    private void address(int type, int flags, String device, InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        checkPrefix(bytes, prefixLength);
        String object = AddressText.of(address) + "/" + prefixLength + " dev " + device;
        int index = linkIndex(device);
        boolean v6 = bytes.length == 16;
        request.begin(type, NLM_F_REQUEST | NLM_F_ACK | flags, ++sequence);
        int ifa = request.struct(IFADDRMSG_SIZE);
        request.putByte(ifa, v6 ? Sockets.AF_INET6 : Sockets.AF_INET);
        request.putByte(ifa + 1, prefixLength);
        request.putInt(ifa + 4, index);
        request.attr(IFA_LOCAL, bytes);
        request.attr(IFA_ADDRESS, bytes);
        if (v6 && type == RTM_NEWADDR) {
            request.attrInt(IFA_FLAGS, IFA_F_NODAD);
        }
        exchange(type == RTM_NEWADDR ? "RTM_NEWADDR" : "RTM_DELADDR", object, null, false);
    }

    /** The addresses of {@code device} (IPv4 and IPv6, including link-local ones). */
    public synchronized List<InterfaceAddress> addresses(String device) {
        int index = linkIndex(device);
        List<InterfaceAddress> all = dump(RTM_GETADDR, IFADDRMSG_SIZE, Sockets.AF_UNSPEC, RTM_NEWADDR, device,
                Netlink::parseAddress);
        all.removeIf(a -> a.ifindex() != index);
        return all;
    }

    // ---------------------------------------------------------------- routes

    public synchronized void addRoute(Route route) {
        route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, route);
    }

    /** Adds the route or replaces the one with the same destination (idempotent for reconcilers). */
    public synchronized void replaceRoute(Route route) {
        route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, route);
    }

    public synchronized void deleteRoute(Route route) {
        route(RTM_DELROUTE, 0, route);
    }

    private void route(int type, int flags, Route route) {
        byte[] dst = route.destination().getAddress();
        boolean add = type == RTM_NEWROUTE;
        int oif = route.device() == null ? 0 : linkIndex(route.device());
        request.begin(type, NLM_F_REQUEST | NLM_F_ACK | flags, ++sequence);
        int rtm = request.struct(RTMSG_SIZE);
        request.putByte(rtm, dst.length == 16 ? Sockets.AF_INET6 : Sockets.AF_INET);
        request.putByte(rtm + 1, route.prefixLength());
        request.putByte(rtm + 4, RT_TABLE_MAIN);
        // A delete matches any protocol/type and the narrowest scope, as `ip route del` does.
        request.putByte(rtm + 5, add ? RTPROT_STATIC : RTPROT_UNSPEC);
        request.putByte(rtm + 6, add ? (route.gateway() == null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE) : RT_SCOPE_NOWHERE);
        request.putByte(rtm + 7, add ? RTN_UNICAST : RTN_UNSPEC);
        request.putInt(rtm + 8, route.onLink() ? RTNH_F_ONLINK : 0);
        if (route.prefixLength() > 0) {
            request.attr(RTA_DST, dst);
        }
        if (route.gateway() != null) {
            request.attr(RTA_GATEWAY, route.gateway().getAddress());
        }
        if (oif != 0) {
            request.attrInt(RTA_OIF, oif);
        }
        exchange(add ? "RTM_NEWROUTE" : "RTM_DELROUTE", route.toString(), null, false);
    }

    /**
     * Every unicast route of {@code family} (Sockets.AF_INET or AF_INET6) in the main table, as
     * {@code ip route show} lists them (for checks: is a pod's default route still there?).
     */
    public synchronized List<RouteEntry> routes(int family) {
        return dump(RTM_GETROUTE, RTMSG_SIZE, family, RTM_NEWROUTE, "family " + family, Netlink::parseRoute);
    }

    private static RouteEntry parseRoute(MemorySegment buf, int at, int len) {
        return parseRoute(buf, at, len, true);
    }

    /** A route as {@code RTM_GETROUTE} for one address answers it (table local or main, any type). */
    private static RouteEntry parseRouteAnyTable(MemorySegment buf, int at, int len) {
        return parseRoute(buf, at, len, false);
    }

    private static RouteEntry parseRoute(MemorySegment buf, int at, int len, boolean mainUnicastOnly) {
        int rtm = at + NLMSGHDR_SIZE;
        int family = buf.get(JAVA_BYTE, rtm) & 0xff;
        int prefixLength = buf.get(JAVA_BYTE, rtm + 1) & 0xff;
        int table = buf.get(JAVA_BYTE, rtm + 4) & 0xff;
        int routeType = buf.get(JAVA_BYTE, rtm + 7) & 0xff;
        InetAddress destination = null;
        InetAddress gateway = null;
        int oif = 0;
        RtAttributes a = new RtAttributes(buf, rtm + RTMSG_SIZE, at + len);
        while (a.next()) {
            int atype = a.type();
            int data = a.data();
            int dlen = a.length();
            if (atype == RTA_DST) {
                destination = inet(buf, data, dlen);
            } else if (atype == RTA_GATEWAY) {
                gateway = inet(buf, data, dlen);
            } else if (atype == RTA_OIF && dlen == 4) {
                oif = buf.get(JAVA_INT, data);
            } else if (atype == RTA_TABLE && dlen == 4) {
                table = buf.get(JAVA_INT, data);
            }
        }
        if (mainUnicastOnly && (table != RT_TABLE_MAIN || routeType != RTN_UNICAST)) {
            return null;
        }
        if (destination == null) {
            try {
                destination = InetAddress.getByAddress(new byte[family == Sockets.AF_INET6 ? 16 : 4]);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return new RouteEntry(destination, prefixLength, gateway, oif);
    }

    // ---------------------------------------------------------------- neighbours

    /** Adds (or replaces) a permanent neighbour entry: {@code address} is at {@code mac} on {@code device}. */
    public synchronized void addNeighbour(String device, InetAddress address, long mac) {
        byte[] ip = address.getAddress();
        String object = AddressText.of(address) + " lladdr " + formatMac(mac) + " dev " + device;
        int index = linkIndex(device);
        request.begin(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, ++sequence);
        int nd = request.struct(NDMSG_SIZE);
        request.putByte(nd, ip.length == 16 ? Sockets.AF_INET6 : Sockets.AF_INET);
        request.putInt(nd + 4, index);
        request.putShort(nd + 8, NUD_PERMANENT);
        request.attr(NDA_DST, ip);
        request.attr(NDA_LLADDR, macBytes(mac));
        exchange("RTM_NEWNEIGH", object, null, false);
    }

    /**
     * Adds (or replaces) a kernel-managed neighbour entry ({@code ip neigh replace ADDR dev DEV managed}):
     * the kernel resolves {@code address} by ARP/ND at once and keeps it resolved, re-probing on its own,
     * so a user-space data path can read a fresh MAC without sending ARP itself. Linux 5.16+.
     */
    public synchronized void addManagedNeighbour(String device, InetAddress address) {
        byte[] ip = address.getAddress();
        String object = AddressText.of(address) + " dev " + device + " managed";
        int index = linkIndex(device);
        request.begin(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, ++sequence);
        int nd = request.struct(NDMSG_SIZE);
        request.putByte(nd, ip.length == 16 ? Sockets.AF_INET6 : Sockets.AF_INET);
        request.putInt(nd + 4, index);
        request.putShort(nd + 8, NUD_NONE);
        request.attr(NDA_DST, ip);
        request.attrInt(NDA_FLAGS_EXT, NTF_EXT_MANAGED);
        exchange("RTM_NEWNEIGH", object, null, false);
    }

    /**
     * The kernel's route to {@code destination} ({@code ip route get}): the gateway (null when on-link)
     * and the outgoing interface. NativeException (ENETUNREACH, ...) when there is none.
     */
    public synchronized RouteEntry routeTo(InetAddress destination) {
        byte[] dst = destination.getAddress();
        request.begin(RTM_GETROUTE, NLM_F_REQUEST, ++sequence);
        int rtm = request.struct(RTMSG_SIZE);
        request.putByte(rtm, dst.length == 16 ? Sockets.AF_INET6 : Sockets.AF_INET);
        request.putByte(rtm + 1, dst.length * 8);
        request.attr(RTA_DST, dst);
        RouteEntry[] found = new RouteEntry[1];
        exchange("RTM_GETROUTE", AddressText.of(destination), (buf, at, len, type) -> {
            if (type == RTM_NEWROUTE) {
                found[0] = parseRouteAnyTable(buf, at, len);
            }
        }, true);
        if (found[0] == null) {
            throw new NativeException("RTM_GETROUTE", AddressText.of(destination), Errno.ENETUNREACH, "no route");
        }
        return found[0];
    }

    public synchronized void deleteNeighbour(String device, InetAddress address) {
        byte[] ip = address.getAddress();
        String object = AddressText.of(address) + " dev " + device;
        int index = linkIndex(device);
        request.begin(RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, ++sequence);
        int nd = request.struct(NDMSG_SIZE);
        request.putByte(nd, ip.length == 16 ? Sockets.AF_INET6 : Sockets.AF_INET);
        request.putInt(nd + 4, index);
        request.attr(NDA_DST, ip);
        exchange("RTM_DELNEIGH", object, null, false);
    }

    /** Every neighbour entry of {@code family} (Sockets.AF_INET, AF_INET6, or AF_UNSPEC for both). */
    public synchronized List<Neighbour> neighbours(int family) {
        return dump(RTM_GETNEIGH, NDMSG_SIZE, family, RTM_NEWNEIGH, "family " + family, Netlink::parseNeighbour);
    }

    // ---------------------------------------------------------------- exchange

    /** Parses one reply message; null skips it. */
    @FunctionalInterface
    private interface EntryParser<T> {
        T parse(MemorySegment buffer, int offset, int length);
    }

    /**
     * A dump request: the family-leading struct ({@code rtmsg}, {@code ndmsg}, {@code ifaddrmsg}
     * all start with the family byte), then every reply of {@code replyType} parsed into a list.
     */
    private <T> List<T> dump(int requestType, int structSize, int family, int replyType, String object,
                             EntryParser<T> parser) {
        request.begin(requestType, NLM_F_REQUEST | NLM_F_DUMP, ++sequence);
        int header = request.struct(structSize);
        request.putByte(header, family);
        List<T> out = new ArrayList<>();
        exchange(messageName(requestType) + " dump", object, (buf, at, len, type) -> {
            if (type == replyType) {
                T entry = parser.parse(buf, at, len);
                if (entry != null) {
                    out.add(entry);
                }
            }
        }, true);
        return out;
    }

    private static String messageName(int type) {
        return switch (type) {
            case RTM_GETADDR -> "RTM_GETADDR";
            case RTM_GETROUTE -> "RTM_GETROUTE";
            case RTM_GETNEIGH -> "RTM_GETNEIGH";
            default -> "netlink type " + type;
        };
    }

    /** Sends the request in the buffer and reads its answers (see {@link NetlinkSocket#exchange}). */
    private void exchange(String operation, String object, NetlinkSocket.MessageHandler handler, boolean replyExpected) {
        socket.checkOpen();
        socket.exchange(request, sequence, operation, object, handler, replyExpected);
    }

    // ---------------------------------------------------------------- parsing

    private static LinkInfo parseLink(MemorySegment buf, int at, int len) {
        int ifi = at + NLMSGHDR_SIZE;
        int index = buf.get(JAVA_INT, ifi + 4);
        int flags = buf.get(JAVA_INT, ifi + 8);
        String name = null;
        int mtu = 0;
        long mac = 0;
        RtAttributes a = new RtAttributes(buf, ifi + IFINFOMSG_SIZE, at + len);
        while (a.next()) {
            int data = a.data();
            switch (a.type()) {
                case IFLA_IFNAME -> name = string(buf, data, a.length());
                case IFLA_MTU -> mtu = buf.get(JAVA_INT, data);
                case IFLA_ADDRESS -> mac = a.length() == 6 ? readMac(buf, data) : 0;
                default -> { }
            }
        }
        return new LinkInfo(index, name, mtu, mac, flags);
    }

    private static InterfaceAddress parseAddress(MemorySegment buf, int at, int len) {
        int ifa = at + NLMSGHDR_SIZE;
        int prefixLength = buf.get(JAVA_BYTE, ifa + 1) & 0xff;
        int ifindex = buf.get(JAVA_INT, ifa + 4);
        InetAddress local = null;
        InetAddress address = null;
        RtAttributes a = new RtAttributes(buf, ifa + IFADDRMSG_SIZE, at + len);
        while (a.next()) {
            if (a.type() == IFA_LOCAL) {
                local = inet(buf, a.data(), a.length());
            } else if (a.type() == IFA_ADDRESS) {
                address = inet(buf, a.data(), a.length());
            }
        }
        // IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer's on point-to-point links).
        InetAddress own = local != null ? local : address;
        return own == null ? null : new InterfaceAddress(ifindex, own, prefixLength);
    }

    private static InetAddress inet(MemorySegment buf, int at, int length) {
        if (length != 4 && length != 16) {
            return null;
        }
        byte[] b = new byte[length];
        MemorySegment.copy(buf, JAVA_BYTE, at, b, 0, length);
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Neighbour parseNeighbour(MemorySegment buf, int at, int len) {
        int nd = at + NLMSGHDR_SIZE;
        int ifindex = buf.get(JAVA_INT, nd + 4);
        int state = buf.get(JAVA_SHORT, nd + 8) & 0xffff;
        InetAddress ip = null;
        long mac = 0;
        RtAttributes a = new RtAttributes(buf, nd + NDMSG_SIZE, at + len);
        while (a.next()) {
            int atype = a.type();
            int data = a.data();
            int dlen = a.length();
            if (atype == NDA_DST) {
                ip = inet(buf, data, dlen);
            } else if (atype == NDA_LLADDR && dlen == 6) {
                mac = readMac(buf, data);
            }
        }
        return ip == null ? null : new Neighbour(ifindex, ip, mac, state);
    }

    private static String string(MemorySegment buf, int at, int maxLength) {
        return NetlinkSocket.string(buf, at, maxLength);
    }

    private static long readMac(MemorySegment buf, int at) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | (buf.get(JAVA_BYTE, at + i) & 0xff);
        }
        return mac;
    }

    static byte[] macBytes(long mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> (40 - 8 * i));
        }
        return b;
    }

    /** {@code 02:00:00:aa:bb:cc} for the low 48 bits of {@code mac}. */
    public static String formatMac(long mac) {
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            int b = (int) (mac >>> (40 - 8 * i)) & 0xff;
            s.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 15, 16));
        }
        return s.toString();
    }

    private static void checkPrefix(byte[] address, int prefixLength) {
        int bits = address.length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range [0, " + bits + "]");
        }
    }

    @Override
    public synchronized void close() {
        socket.close();
    }
}
