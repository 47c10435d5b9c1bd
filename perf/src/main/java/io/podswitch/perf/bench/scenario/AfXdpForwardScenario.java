package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.side.PortKind;

/** Forwarding between two pods whose veths podswitch drives through AF_XDP sockets. */
public final class AfXdpForwardScenario extends ForwardingScenario {

    public AfXdpForwardScenario() {
        super(PortKind.AF_XDP);
    }

    @Override
    public String name() {
        return "afxdp-forward";
    }

    @Override
    public String description() {
        return "generator netns → podswitch (AF_XDP on veth) → sink netns, 64..1500 B UDP: offered vs forwarded Mpps, loss, CPU/packet; baselines kernel routing, Linux bridge, dpdk-testpmd (same port kind)";
    }
}
