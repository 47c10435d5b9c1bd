package io.podswitch.daemon.pod;

import io.podswitch.api.ApiError;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.ipam.IpAddresses;
import io.podswitch.daemon.ipam.IpRange;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.InterfaceAddress;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.LinkInfo;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.Route;
import io.podswitch.nativeio.RouteEntry;
import io.podswitch.nativeio.Sockets;
import io.podswitch.port.tap.TapPort;
import io.podswitch.port.tap.TapPortConfig;
import io.podswitch.port.tap.TapSteering;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pod side of an attachment: the TAP inside the pod's network namespace, its addresses and its
 * default routes. Everything runs through {@link Netns#call} (a fresh platform thread that enters
 * the namespace), never on the caller's thread.
 *
 * <pre>
 *   pod netns                                   daemon
 *   eth0 (TAP, persistent)  ◄── fd ──────────►  TapPort polled by a worker
 *     MAC 0a:..  MTU 1450  up
 *     10.244.1.5/24  fd00:10:244:1::5/64 (no DAD)
 *     default via 10.244.1.1 dev eth0 onlink
 *     default via fd00:10:244:1::1 dev eth0 onlink
 * </pre>
 */
final class PodNetns {
    private PodNetns() {
    }

    /**
     * Opens the namespace at {@code path}.
     * @throws ApiException 4 when the path does not exist or is not a namespace, 101 otherwise
     */
    static int open(String path) throws ApiException {
        if (path == null || path.isEmpty() || !path.startsWith("/")) {
            throw new ApiException(ApiError.INVALID_ENVIRONMENT, "netns path must be absolute", "got '" + path + "'");
        }
        int fd;
        try {
            fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        } catch (NativeException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                throw new ApiException(ApiError.INVALID_ENVIRONMENT, "netns does not exist", path);
            }
            throw new ApiException(ApiError.INTERFACE_SETUP_FAILED, "cannot open netns", e.getMessage(), e);
        }
        return fd;
    }

    /**
     * Creates (or, after a restart, re-attaches) the pod's TAP inside the namespace — with the
     * steering's queue count and program (sparse flows apart from heavy ones), or one queue without
     * steering — then sets its addresses and default routes idempotently. On failure the TAP is removed again, unless it existed
     * before (a re-attach leaves the pod's interface in place).
     */
    static TapPort wire(int netnsFd, String label, int portId, String ifName, int mtu, long mac,
                        List<InetAddress> addresses, List<IpRange> ranges, TapSteering steering) {
        int queues = steering == null ? 1 : steering.queues();
        TapPort tap = TapPort.openIn(netnsFd, label, portId, new TapPortConfig(ifName, mtu, mac, true, queues, true));
        try {
            if (steering != null) {
                steering.attach(tap);
            }
            Netns.run(netnsFd, label, () -> configure(ifName, addresses, ranges));
            return tap;
        } catch (RuntimeException e) {
            closeAndDelete(tap, e);
            throw e;
        }
    }

    private static void configure(String ifName, List<InetAddress> addresses, List<IpRange> ranges) {
        try (Netlink netlink = Netlink.open()) {
            List<InterfaceAddress> present = netlink.addresses(ifName);
            for (InetAddress address : addresses) {
                IpRange range = rangeOf(address, ranges);
                if (!has(present, address, range.prefixLength())) {
                    netlink.addAddress(ifName, address, range.prefixLength());
                }
            }
            for (IpRange range : ranges) {
                if (hasFamily(addresses, range.isIpv4())) {
                    netlink.replaceRoute(Route.defaultVia(range.gateway(), ifName, true));
                }
            }
        }
    }

    /**
     * Compares the live interface with the record: link present and up, MAC, MTU, every address with
     * its prefix, one default route per family via the gateway on this interface.
     * @return what differs, empty when everything matches
     */
    static List<String> check(int netnsFd, String label, PodRecord record, List<IpRange> ranges) {
        return Netns.call(netnsFd, label, () -> {
            List<String> problems = new ArrayList<>();
            try (Netlink netlink = Netlink.open()) {
                Optional<LinkInfo> found = netlink.findLink(record.portName());
                if (found.isEmpty()) {
                    problems.add("interface " + record.portName() + " is missing");
                    return problems;
                }
                LinkInfo link = found.get();
                if (link.mac() != record.mac()) {
                    problems.add("MAC is " + AddressBits.formatMac(link.mac()) + ", expected "
                            + AddressBits.formatMac(record.mac()));
                }
                if (link.mtu() != record.mtu()) {
                    problems.add("MTU is " + link.mtu() + ", expected " + record.mtu());
                }
                if (!link.isUp()) {
                    problems.add("interface " + record.portName() + " is down");
                }
                List<InterfaceAddress> present = netlink.addresses(record.portName());
                for (InetAddress address : record.addresses()) {
                    int prefix = rangeOf(address, ranges).prefixLength();
                    if (!has(present, address, prefix)) {
                        problems.add("address " + IpAddresses.format(address) + "/" + prefix + " is missing");
                    }
                }
                for (IpRange range : ranges) {
                    if (!hasFamily(record.addresses(), range.isIpv4())) {
                        continue;
                    }
                    List<RouteEntry> routes = netlink.routes(range.isIpv4() ? Sockets.AF_INET : Sockets.AF_INET6);
                    boolean ok = false;
                    for (RouteEntry r : routes) {
                        if (r.isDefault() && range.gateway().equals(r.gateway()) && r.ifindex() == link.index()) {
                            ok = true;
                            break;
                        }
                    }
                    if (!ok) {
                        problems.add("default route via " + IpAddresses.format(range.gateway()) + " dev "
                                + record.portName() + " is missing");
                    }
                }
            }
            return problems;
        });
    }

    /** Deletes the interface {@code ifName} in the namespace if there is one; returns whether it did. */
    static boolean deleteInterface(int netnsFd, String label, String ifName) {
        return Netns.call(netnsFd, label, () -> {
            try (Netlink netlink = Netlink.open()) {
                if (netlink.findLink(ifName).isEmpty()) {
                    return false;
                }
                netlink.deleteLink(ifName);
                return true;
            }
        });
    }

    /** Removes the TAP even though it is persistent; if its namespace is already gone, just closes it. */
    static void closeAndDelete(TapPort tap, Throwable into) {
        try {
            tap.closeAndDelete();
        } catch (RuntimeException e) {
            if (into != null) {
                into.addSuppressed(e);
            }
            tap.close();
        }
    }

    static IpRange rangeOf(InetAddress address, List<IpRange> ranges) {
        for (IpRange range : ranges) {
            if (range.isIpv4() == AddressBits.isIp4(address)) {
                return range;
            }
        }
        throw new IllegalArgumentException("no pod range for " + IpAddresses.format(address));
    }

    private static boolean has(List<InterfaceAddress> present, InetAddress address, int prefix) {
        for (InterfaceAddress a : present) {
            if (a.address().equals(address) && a.prefixLength() == prefix) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasFamily(List<InetAddress> addresses, boolean ip4) {
        for (InetAddress a : addresses) {
            if (AddressBits.isIp4(a) == ip4) {
                return true;
            }
        }
        return false;
    }
}
