package io.podswitch.perf.bench.side;

import java.util.List;

/**
 * podswitch between two pods: given two empty network namespaces, gives each an interface with
 * the requested address and a default route to the switch, through ports of the requested kind
 * (TAP devices in the pods, or veth pairs whose switch end is driven by AF_XDP). Used by
 * tap-forward, afxdp-forward, pod-tcp and latency.
 */
public interface SwitchPathSide {

    /**
     * Connects the two pods; traffic between their addresses flows through podswitch until the
     * returned path is closed. Closing removes everything this call created.
     *
     * @param cores CPUs podswitch's workers may use: with TAP pods one worker on each (podswitchd {@code --workers N}),
     *              AF_XDP pods one worker on the first; empty: one unpinned worker
     * @throws SideUnavailableException when this build or kernel cannot provide the kind of port
     */
    SwitchPath connect(PortKind kind, PodEndpoint a, PodEndpoint b, List<Integer> cores) throws Exception;
}
