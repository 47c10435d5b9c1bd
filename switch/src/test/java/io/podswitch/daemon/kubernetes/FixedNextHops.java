package io.podswitch.daemon.kubernetes;

import io.podswitch.daemon.peers.NextHops;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** Every peer on-link and resolved to one MAC: the kernel's part of next-hop resolution left out. */
final class FixedNextHops implements NextHops {
    static final long MAC = 0x02_00_00_00_00_99L;
    private final Map<InetAddress, Integer> tracked = new HashMap<>();

    @Override
    public InetAddress nextHop(InetAddress peer) {
        return peer;
    }

    @Override
    public void track(InetAddress nextHop) {
        tracked.merge(nextHop, 1, Integer::sum);
    }

    @Override
    public void untrack(InetAddress nextHop) {
        tracked.computeIfPresent(nextHop, (k, n) -> n == 1 ? null : n - 1);
    }

    @Override
    public Map<InetAddress, Long> resolved() {
        Map<InetAddress, Long> out = new HashMap<>();
        tracked.keySet().forEach(a -> out.put(a, MAC));
        return out;
    }

    /** Next hops still tracked (each peer tracks its own): what a removed peer must have let go. */
    int trackedCount() {
        return tracked.size();
    }

    @Override
    public void close() {
        tracked.clear();
    }
}
