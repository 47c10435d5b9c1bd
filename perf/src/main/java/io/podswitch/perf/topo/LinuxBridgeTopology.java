package io.podswitch.perf.topo;

import java.io.IOException;

/**
 * The kernel as a switch, as most CNI plugins wire pods: {@code gen ─veth─ [bridge] ─veth─ sink},
 * one /24 subnet.
 * <pre>
 *   gen: eth0 10.&lt;n&gt;.1.2/24 ── pg [br0 in ns "br"] ps ── eth0 10.&lt;n&gt;.1.3/24 :sink
 * </pre>
 */
public final class LinuxBridgeTopology {

    private LinuxBridgeTopology() {
    }

    public static ForwardPath build(Topology t, int net) throws IOException {
        String gen = t.netns("gen");
        String br = t.netns("br");
        String sink = t.netns("sink");
        t.bridge(br, "br0");
        t.veth(gen, "eth0", br, "pg");
        t.veth(sink, "eth0", br, "ps");
        t.enslave(br, "pg", "br0");
        t.enslave(br, "ps", "br0");
        String p = "10." + net + ".1.";
        t.address(gen, "eth0", p + "2/24");
        t.address(sink, "eth0", p + "3/24");
        if (!Topology.ping(gen, p + "3")) {
            throw new IOException("linux bridge topology " + t.id() + ": sink not reachable from generator");
        }
        return new ForwardPath(gen, "eth0", Topology.mac(gen, "eth0"), p + "2", Topology.mac(sink, "eth0"), p + "3",
                sink, "eth0");
    }
}
