package io.podswitch.perf.bench.side;

/** How podswitch attaches to a pod in the forwarding scenarios. */
public enum PortKind {
    TAP, AF_XDP;

    public String parameter() {
        return this == TAP ? "tap" : "af_xdp";
    }
}
