package io.podswitch.daemon.peers;

import io.podswitch.daemon.uplink.UplinkAttachment;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Next hops when the kernel does the underlay's L2 (a UDP-socket uplink): every peer is "resolved" to
 * {@link UplinkAttachment#KERNEL_L2_MAC}, a placeholder the port strips together with the outer
 * Ethernet header; the kernel routes and ARPs for the real datagram.
 */
public final class KernelL2NextHops implements NextHops {
    private final Map<InetAddress, Integer> users = new HashMap<>();

    @Override
    public InetAddress nextHop(InetAddress peer) {
        return peer;
    }

    @Override
    public void track(InetAddress nextHop) {
        users.merge(nextHop, 1, Integer::sum);
    }

    @Override
    public void untrack(InetAddress nextHop) {
        users.computeIfPresent(nextHop, (k, n) -> n == 1 ? null : n - 1);
    }

    @Override
    public Map<InetAddress, Long> resolved() {
        Map<InetAddress, Long> out = new HashMap<>();
        for (InetAddress a : users.keySet()) {
            out.put(a, UplinkAttachment.KERNEL_L2_MAC);
        }
        return out;
    }

    @Override
    public void close() {
        users.clear();
    }
}
