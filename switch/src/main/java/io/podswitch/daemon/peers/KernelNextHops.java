package io.podswitch.daemon.peers;

import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.ipam.IpAddresses;
import io.podswitch.nativeio.Neighbour;
import io.podswitch.nativeio.NetlinkLayouts;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.RouteEntry;
import io.podswitch.nativeio.Sockets;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Next hops through the kernel's own tables, without stealing ARP/ND from it: the route to a peer
 * comes from {@code RTM_GETROUTE} (the gateway, or the peer itself when on-link), and each next hop gets
 * a kernel-managed neighbour entry on the uplink ({@code NTF_EXT_MANAGED}, Linux 5.16+): the kernel
 * resolves it at once and keeps it resolved. {@link #resolved()} reads the neighbour table
 * ({@code RTM_GETNEIGH}). Entries this class created are deleted when their last user goes; an
 * operator's permanent entry for a next hop is used as it is, never replaced or deleted.
 */
public final class KernelNextHops implements NextHops {
    private final Netlink netlink;
    private final String uplink;
    private final int uplinkIndex;
    private final Map<InetAddress, Integer> users = new HashMap<>();
    /** Managed entries this class created (an operator's static entry is used, never replaced or deleted). */
    private final java.util.Set<InetAddress> created = new java.util.HashSet<>();

    public KernelNextHops(String uplinkInterface) {
        this.netlink = Netlink.open();
        try {
            this.uplink = uplinkInterface;
            this.uplinkIndex = netlink.linkIndex(uplinkInterface);
        } catch (RuntimeException e) {
            netlink.close();
            throw e;
        }
    }

    @Override
    public InetAddress nextHop(InetAddress peer) {
        RouteEntry route = netlink.routeTo(peer);
        if (route.ifindex() != 0 && route.ifindex() != uplinkIndex) {
            throw new IllegalStateException("the kernel routes " + IpAddresses.format(peer) + " via interface index "
                    + route.ifindex() + ", not the uplink " + uplink);
        }
        return route.gateway() != null ? route.gateway() : peer;
    }

    @Override
    public void track(InetAddress nextHop) {
        int n = users.merge(nextHop, 1, Integer::sum);
        if (n == 1 && !isStatic(nextHop)) {
            try {
                netlink.addManagedNeighbour(uplink, nextHop);
                created.add(nextHop);
            } catch (NativeException e) {
                DaemonLog.info("neighbour " + IpAddresses.format(nextHop) + " on " + uplink + " not managed: " + e.getMessage());
            }
        }
    }

    @Override
    public void untrack(InetAddress nextHop) {
        Integer n = users.get(nextHop);
        if (n == null) {
            return;
        }
        if (n > 1) {
            users.put(nextHop, n - 1);
            return;
        }
        users.remove(nextHop);
        if (!created.remove(nextHop)) {
            return;
        }
        try {
            netlink.deleteNeighbour(uplink, nextHop);
        } catch (NativeException e) {
            DaemonLog.info("neighbour " + IpAddresses.format(nextHop) + " on " + uplink + " not deleted: " + e.getMessage());
        }
    }

    /** An operator's permanent (or NOARP) entry: use it as it is. */
    private boolean isStatic(InetAddress address) {
        for (Neighbour n : netlink.neighbours(Sockets.AF_UNSPEC)) {
            if (n.ifindex() == uplinkIndex && n.address().equals(address)
                    && (n.state() & (NetlinkLayouts.NUD_PERMANENT | NUD_NOARP)) != 0) {
                return true;
            }
        }
        return false;
    }

    private static final int NUD_NOARP = 0x40;

    @Override
    public Map<InetAddress, Long> resolved() {
        Map<InetAddress, Long> out = new HashMap<>();
        if (users.isEmpty()) {
            return out;
        }
        for (Neighbour n : netlink.neighbours(Sockets.AF_UNSPEC)) {
            if (n.ifindex() == uplinkIndex && n.mac() != 0 && (n.state() & NetlinkLayouts.NUD_VALID) != 0
                    && users.containsKey(n.address())) {
                out.put(n.address(), n.mac());
            }
        }
        return out;
    }

    /** Deletes the managed entries still held, then closes the netlink socket. */
    @Override
    public void close() {
        for (InetAddress a : created) {
            try {
                netlink.deleteNeighbour(uplink, a);
            } catch (NativeException ignored) {
                // Already gone (the interface went down, an operator flushed it): nothing to undo.
            }
        }
        users.clear();
        created.clear();
        netlink.close();
    }
}
