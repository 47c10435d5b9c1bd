package io.podswitch.daemon.desired;

import io.podswitch.config.cidr.IpAddress;

/**
 * One endpoint of one service port, as kube-proxy sees it after merging the service's EndpointSlices.
 *
 * @param address     the endpoint's address (its family decides which ClusterIP it serves)
 * @param port        the port traffic goes to on the endpoint: the service port's targetPort, already
 *                    resolved by the source (a named targetPort through the EndpointSlice's ports)
 * @param weight      Maglev weight, 1..256 ({@code 1} for every API endpoint; the file may set others)
 * @param ready       EndpointConditions.ready (an absent condition counts as true, as in kube-proxy)
 * @param serving     EndpointConditions.serving (absent: true, as kube-proxy reads it — used only with terminating)
 * @param terminating EndpointConditions.terminating (absent: false)
 * @param nodeName    the node the endpoint runs on ({@code Endpoint.nodeName}); null when unknown (the file),
 *                    then locality is decided by this node's pod CIDRs
 */
public record DesiredEndpoint(IpAddress address, int port, int weight, boolean ready, boolean serving,
                              boolean terminating, String nodeName) {
}
