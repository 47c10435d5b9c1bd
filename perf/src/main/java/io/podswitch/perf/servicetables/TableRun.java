package io.podswitch.perf.servicetables;

import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.services.ServiceManager;
import io.podswitch.service.ServiceTable;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One side of the service-tables benchmark, in this JVM: the whole cluster built from scratch (one
 * {@code replaceAll}, what a daemon does at start or on a relist), then single-service changes timed one by
 * one, and the memory the tables hold.
 *
 * <p>Memory: heap in use after a full collection with the tables held, minus the same before they were
 * built — the service objects given as input exist before and are not counted (a source holds them
 * anyway); off-heap: the JVM's direct and mapped buffer pools, the same way (the tables use none).
 *
 * @param keys the table keys held after the build
 */
public record TableRun(int services, int keys, double buildSeconds, double changeP50Micros, double changeP99Micros,
                       double heapMiB, double offHeapMiB) {

    /** The current ServiceManager and ServiceTable. */
    public static TableRun podswitch(int services, int maxEndpoints, int changes, long seed) {
        ServiceCluster cluster = new ServiceCluster(services, maxEndpoints, seed);
        List<DesiredService> script = script(cluster, changes);
        ServiceTable table = new ServiceTable(1 << 20, 2);
        ServiceManager manager = new ServiceManager(table);
        long[] before = memory();
        long start = System.nanoTime();
        manager.setLocality(ServiceCluster.THIS_NODE, List.of());
        manager.replaceAll(cluster.services());
        double build = (System.nanoTime() - start) / 1e9;
        long[] after = memory();
        long[] times = time(script, manager::apply);
        TableRun run = result(services, table.size(), build, times, before, after);
        reachable(manager);
        return run;
    }

    /** The tables as they were before issue 12 ({@link LegacyServiceTables}). */
    public static TableRun legacy(int services, int maxEndpoints, int changes, long seed) {
        ServiceCluster cluster = new ServiceCluster(services, maxEndpoints, seed);
        List<DesiredService> script = script(cluster, changes);
        // Four keys per service and four more per node-port service: the old daemon's 4,096 keys hold ~930 services.
        LegacyServiceTables legacy = new LegacyServiceTables(services * 5 + 16, ServiceCluster.THIS_NODE);
        long[] before = memory();
        long start = System.nanoTime();
        legacy.replaceAll(cluster.services());
        double build = (System.nanoTime() - start) / 1e9;
        long[] after = memory();
        long[] times = time(script, legacy::apply);
        TableRun run = result(services, legacy.size(), build, times, before, after);
        reachable(legacy);
        return run;
    }

    /** The changes, made before the clock starts (the build uses the services as generated). */
    private static List<DesiredService> script(ServiceCluster cluster, int changes) {
        List<DesiredService> script = new ArrayList<>(changes);
        for (int i = 0; i < changes; i++) {
            script.add(cluster.change());
        }
        return script;
    }

    private static long[] time(List<DesiredService> script, Consumer<DesiredService> apply) {
        long[] nanos = new long[script.size()];
        for (int i = 0; i < nanos.length; i++) {
            long t = System.nanoTime();
            apply.accept(script.get(i));
            nanos[i] = System.nanoTime() - t;
        }
        return nanos;
    }

    private static TableRun result(int services, int keys, double build, long[] nanos, long[] before, long[] after) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double p50 = sorted.length == 0 ? 0 : sorted[(sorted.length - 1) / 2] / 1e3;
        double p99 = sorted.length == 0 ? 0 : sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e3;
        return new TableRun(services, keys, build, p50, p99, (after[0] - before[0]) / 1048576.0,
                (after[1] - before[1]) / 1048576.0);
    }

    /** {heap used, direct + mapped buffers} after a full collection. */
    private static long[] memory() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long buffers = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            buffers += pool.getMemoryUsed();
        }
        return new long[] {heap, buffers};
    }

    /** Keeps {@code o} reachable until here (the memory figure was taken while it was in use). */
    private static void reachable(Object o) {
        java.lang.ref.Reference.reachabilityFence(o);
    }
}
