package io.podswitch.daemon.peers;

import java.net.InetAddress;
import java.util.Map;

/**
 * Where the underlay sends packets for a peer node, and the link-layer address of that next hop.
 * The kernel keeps answering ARP/ND on the NIC; podswitch only reads what the kernel resolved
 * ({@link KernelNextHops}). With a UDP-socket uplink the kernel does L2 itself ({@link KernelL2NextHops}).
 * Control thread only.
 */
public interface NextHops extends AutoCloseable {

    /** The next hop towards {@code peer}: the peer itself when on-link, else the route's gateway. */
    InetAddress nextHop(InetAddress peer);

    /** Asks for {@code nextHop} to be resolved and kept resolved; counted, one call per user. */
    void track(InetAddress nextHop);

    /** One user fewer; the last one lets the entry go. */
    void untrack(InetAddress nextHop);

    /** The resolved MAC of every tracked next hop that has one (unresolved ones are absent). */
    Map<InetAddress, Long> resolved();

    @Override
    void close();
}
