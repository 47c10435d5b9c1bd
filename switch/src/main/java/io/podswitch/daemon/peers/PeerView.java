package io.podswitch.daemon.peers;

import java.util.List;

/**
 * One remote node as {@code GET /v1/peers} shows it. {@code nextHopMac} is empty while unresolved;
 * counters are summed over the workers (bytes are inner Ethernet frame bytes).
 */
public record PeerView(String name, List<String> addresses, List<String> podCidrs, String mode, String underlay,
                       String nextHop, String nextHopMac, String state, long encapPackets, long encapBytes,
                       long decapPackets, long decapBytes) {
}
