package io.podswitch.perf.sides;

import io.podswitch.fib.Ip4Fib;
import io.podswitch.fib.Ip6Fib;
import io.podswitch.packet.Ip4;

import java.util.Arrays;

/**
 * The routing tables of the engine workload, for one family: {@code routes} background routes (IPv4:
 * the BGP-shaped table of DPDK's lpm_perf_autotest, at most 1,076,806; IPv6: the table of
 * lpm6_perf_autotest, at most 1000; drawn with the workload's seed, to a drop adjacency) plus one host route per null port,
 * {@link #destination4}/{@link #destination6} of port p → a REWRITE adjacency out of port p to the
 * device behind it ({@link #nextHopMac}). Built once per (family, routes, seed) and kept: loading a
 * million routes takes longer than a measured repetition, and the tables are the same every time.
 * Host routes of further ports are added as runs with more workers need them (before they start).
 */
final class EngineTables {
    static final int MTU = 1500;

    private final RoutingTables tables;
    private final boolean ip6;
    private final int background;
    private int[] portAdjacency = new int[0];

    private EngineTables(RoutingTables tables, boolean ip6, int background) {
        this.tables = tables;
        this.ip6 = ip6;
        this.background = background;
    }

    static EngineTables build(boolean ip6, int routes, long seed) {
        RoutingTables t = new RoutingTables(4096, Ip4Fib.DEFAULT_TBL8_GROUPS, Ip6Fib.DEFAULT_TBL8_GROUPS);
        int drop = t.adjacencies().addDrop();
        int loaded = ip6 ? t.loadBackground6(routes, seed, drop) : t.loadBackground4(routes, seed, drop);
        return new EngineTables(t, ip6, loaded);
    }

    RoutingTables tables() {
        return tables;
    }

    /** Background routes actually loaded (the FIB may hold fewer than asked for). */
    int backgroundRoutes() {
        return background;
    }

    /** Makes sure ports 0..ports-1 have their host route. Control thread, before workers start. */
    void ensurePorts(int ports) {
        int have = portAdjacency.length;
        if (ports <= have) {
            return;
        }
        portAdjacency = Arrays.copyOf(portAdjacency, ports);
        for (int p = have; p < ports; p++) {
            int adj = tables.adjacencies().addRewrite(p, nextHopMac(p), MTU);
            portAdjacency[p] = adj;
            if (ip6) {
                tables.route6(destination6High(p), DESTINATION6_LOW, 128, adj);
            } else {
                tables.route4(destination4(p), 32, adj);
            }
        }
    }

    /** The switch's MAC on port p: 02:70:73:00:00:pp (locally administered). */
    static long interfaceMac(int port) {
        return 0x02_70_73_00_00_00L | port;
    }

    /** The MAC of the device behind port p (where traffic routed out of p goes). */
    static long nextHopMac(int port) {
        return 0x02_70_73_01_00_00L | port;
    }

    /** 198.18.p.1 (RFC 2544's benchmarking range): where traffic for port p is addressed. */
    static int destination4(int port) {
        return Ip4.address(198, 18, port & 0xff, 1 + (port >>> 8));
    }

    /** The source of traffic entering on port p: 198.19.p.2. */
    static int source4(int port) {
        return Ip4.address(198, 19, port & 0xff, 2 + (port >>> 8));
    }

    static final long DESTINATION6_LOW = 1;

    /** 2001:db8:0:p::1/128 (documentation range): where traffic for port p is addressed. */
    static long destination6High(int port) {
        return 0x2001_0db8_0000_0000L | port;
    }

    /** The source of traffic entering on port p: 2001:db8:1:p::2. */
    static long source6High(int port) {
        return 0x2001_0db8_0001_0000L | port;
    }
}
