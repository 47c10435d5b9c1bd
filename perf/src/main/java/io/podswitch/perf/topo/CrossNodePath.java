package io.podswitch.perf.topo;

/**
 * A pod on one node and a pod on another, ready for traffic: the client's and the server's
 * namespaces and the address the client reaches the server at.
 */
public record CrossNodePath(String clientNs, String serverNs, String serverIp) {
}
