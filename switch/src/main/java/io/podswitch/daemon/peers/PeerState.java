package io.podswitch.daemon.peers;

import io.podswitch.config.model.NodeConfig;
import java.net.InetAddress;
import java.util.List;

/** What the switch has installed for one remote node. Control thread only. */
final class PeerState {
    final NodeConfig node;
    final int peerId;
    /** The remote node's address in the underlay family: the outer destination, or the direct next hop's target. */
    final InetAddress underlay;
    /** The next hop the kernel routes {@link #underlay} through (null when the route lookup failed). */
    InetAddress nextHop;
    /** The next hop's MAC, 0 while unresolved. */
    long mac;
    /** The ENCAP adjacency (overlay), or the REWRITE / DROP adjacency (direct); -1 when the kernel routes. */
    int adjacency = -1;
    /** Switch routes pointing at {@link #adjacency}. */
    final List<SwitchPrefix> routes;
    /** Why the peer cannot be reached, or null. */
    String problem;

    PeerState(NodeConfig node, int peerId, InetAddress underlay, List<SwitchPrefix> routes) {
        this.node = node;
        this.peerId = peerId;
        this.underlay = underlay;
        this.routes = routes;
    }

    String state() {
        if (problem != null) {
            return "unreachable: " + problem;
        }
        return mac != 0 ? "resolved" : "unresolved";
    }
}
