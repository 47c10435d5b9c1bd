package io.podswitch.perf.sides;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip4Fib;
import io.podswitch.fib.Ip4Lookup;
import io.podswitch.fib.Ip6Fib;
import io.podswitch.fib.Ip6Lookup;
import io.podswitch.perf.fib.BgpLikeIp4Routes;
import io.podswitch.perf.fib.Lpm6PerfTable;

/**
 * The tables every worker's graph reads: the IPv4 and IPv6 FIBs ({@link Ip4Fib}, DIR-24-8;
 * {@link Ip6Fib}, rte_lpm6's layout) and the adjacency table, filled on the control thread before
 * the workers start.
 */
final class RoutingTables {

    private final AdjacencyTable adjacencies;
    private final Ip4Fib fib4;
    private final Ip6Fib fib6;

    /**
     * @param tbl8Groups4 IPv4 groups for routes longer than /24 ({@link Ip4Fib#DEFAULT_TBL8_GROUPS}
     *                    for a full table; a few for a bench path's host routes)
     * @param tbl8Groups6 IPv6 groups (each route longer than /24 needs up to 13)
     */
    RoutingTables(int adjacencyCapacity, int tbl8Groups4, int tbl8Groups6) {
        this.adjacencies = new AdjacencyTable(adjacencyCapacity);
        this.fib4 = new Ip4Fib(tbl8Groups4);
        this.fib6 = new Ip6Fib(tbl8Groups6);
    }

    /** Tables sized for a handful of host routes (a bench path between two pods). */
    static RoutingTables small() {
        return new RoutingTables(16, 64, 64);
    }

    AdjacencyTable adjacencies() {
        return adjacencies;
    }

    Ip4Lookup fib4() {
        return fib4;
    }

    Ip6Lookup fib6() {
        return fib6;
    }

    void route4(int prefix, int length, int adjacency) {
        fib4.add(prefix, length, adjacency);
    }

    void route6(long high, long low, int length, int adjacency) {
        fib6.add(high, low, length, adjacency);
    }

    /**
     * Loads up to {@code count} routes of the BGP-shaped table DPDK's lpm_perf_autotest uses
     * ({@link BgpLikeIp4Routes}, 1,076,806 routes), all to {@code adjacency}; stops early if the
     * FIB has no tbl8 group left. @return how many were loaded
     */
    int loadBackground4(int count, long seed, int adjacency) {
        BgpLikeIp4Routes routes = BgpLikeIp4Routes.generate(seed);
        int n = Math.min(count, routes.size());
        for (int i = 0; i < n; i++) {
            try {
                fib4.add(routes.prefix(i), routes.length(i), adjacency);
            } catch (IllegalStateException full) {
                return i;
            }
        }
        return n;
    }

    /**
     * Loads up to {@code count} routes of the table DPDK's lpm6_perf_autotest uses
     * ({@link Lpm6PerfTable}: 1000 routes, lengths 1..128). @return how many were loaded
     */
    int loadBackground6(int count, long seed, int adjacency) {
        Lpm6PerfTable table = new Lpm6PerfTable(seed);
        int n = Math.min(count, Lpm6PerfTable.ROUTES);
        for (int i = 0; i < n; i++) {
            try {
                fib6.add(table.routeHigh[i], table.routeLow[i], table.routeLength[i], adjacency);
            } catch (IllegalStateException full) {
                return i;
            }
        }
        return n;
    }
}
