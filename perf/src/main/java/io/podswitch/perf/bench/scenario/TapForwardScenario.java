package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.side.PortKind;

/** Forwarding between two pods attached to podswitch by TAP devices. */
public final class TapForwardScenario extends ForwardingScenario {

    public TapForwardScenario() {
        super(PortKind.TAP);
    }

    @Override
    public String name() {
        return "tap-forward";
    }

    @Override
    public String description() {
        return "generator netns → podswitch (TAP) → sink netns, 64..1500 B UDP: offered vs forwarded Mpps, loss, CPU/packet; baselines kernel routing, Linux bridge, dpdk-testpmd (same port kind)";
    }
}
