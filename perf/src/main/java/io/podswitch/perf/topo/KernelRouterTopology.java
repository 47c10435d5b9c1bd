package io.podswitch.perf.topo;

import java.io.IOException;

/**
 * The kernel as a router: {@code gen ─veth─ router(ip_forward=1) ─veth─ sink}, two /24 subnets.
 * <pre>
 *   gen: eth0 10.&lt;n&gt;.1.2/24 ── rin 10.&lt;n&gt;.1.1/24 [router] rout 10.&lt;n&gt;.2.1/24 ── eth0 10.&lt;n&gt;.2.2/24 :sink
 * </pre>
 */
public final class KernelRouterTopology {

    private KernelRouterTopology() {
    }

    public static ForwardPath build(Topology t, int net) throws IOException {
        String gen = t.netns("gen");
        String router = t.netns("rtr");
        String sink = t.netns("sink");
        t.veth(gen, "eth0", router, "rin");
        t.veth(router, "rout", sink, "eth0");
        String a = "10." + net + ".1.";
        String b = "10." + net + ".2.";
        t.address(gen, "eth0", a + "2/24");
        t.address(router, "rin", a + "1/24");
        t.address(router, "rout", b + "1/24");
        t.address(sink, "eth0", b + "2/24");
        t.route(gen, "default", a + "1");
        t.route(sink, "default", b + "1");
        t.sysctl(router, "net.ipv4.ip_forward", "1");
        if (!Topology.ping(gen, b + "2")) {
            throw new IOException("kernel router topology " + t.id() + ": sink not reachable from generator");
        }
        return new ForwardPath(gen, "eth0", Topology.mac(gen, "eth0"), a + "2", Topology.mac(router, "rin"), b + "2",
                sink, "eth0");
    }
}
