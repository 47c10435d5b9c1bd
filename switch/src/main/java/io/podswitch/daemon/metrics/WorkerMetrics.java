package io.podswitch.daemon.metrics;

import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.worker.Worker;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * Each worker's duty cycle, from the values the worker publishes in its slow tick ({@code worker.N.*}
 * in the stats file). The busy ratio is {@code rate(podswitch_worker_busy_cycles_total[1m]) /
 * rate(podswitch_worker_cycles_total[1m])}: the share of cycles that found work.
 */
final class WorkerMetrics implements MultiCollector {
    private final SwitchEngine engine;

    WorkerMetrics(SwitchEngine engine) {
        this.engine = engine;
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        Family cycles = f.counter("podswitch_worker_cycles", "Duty cycles run (polls of every owned queue).", "worker");
        Family busy = f.counter("podswitch_worker_busy_cycles", "Duty cycles that found work.", "worker");
        Family work = f.counter("podswitch_worker_work_items", "Packets received and sent plus commands applied.", "worker");
        Family packets = f.counter("podswitch_worker_packets", "Packets received from or sent to the worker's queues.",
                "worker", "direction");
        Family ticks = f.counter("podswitch_worker_ticks", "Slow ticks (commands, timers, counter publishing).", "worker");
        Family commands = f.counter("podswitch_worker_commands", "Control commands applied by the worker.", "worker");
        Family queues = f.gauge("podswitch_worker_rx_queues", "Receive queues the worker polls.", "worker");
        Family maxCycle = f.gauge("podswitch_worker_max_cycle_seconds", "Longest busy duty cycle seen.", "worker");
        Family stalls = f.counter("podswitch_worker_stalls", "Busy duty cycles longer than a threshold.", "worker", "over");
        for (Worker w : engine.workers()) {
            String id = Integer.toString(w.id());
            String prefix = "worker." + id + ".";
            w.visit((name, value) -> {
                String c = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
                switch (c) {
                    case "cycles" -> cycles.add(value, id);
                    case "busy_cycles" -> busy.add(value, id);
                    case "work" -> work.add(value, id);
                    case "rx_packets" -> packets.add(value, id, "rx");
                    case "tx_packets" -> packets.add(value, id, "tx");
                    case "ticks" -> ticks.add(value, id);
                    case "commands" -> commands.add(value, id);
                    case "rx_queues" -> queues.add(value, id);
                    case "max_cycle_ns" -> maxCycle.add(value / 1e9, id);
                    default -> {
                        if (c.startsWith("stalls_over_")) {
                            stalls.add(value, id, c.substring("stalls_over_".length()));
                        }
                    }
                }
            });
        }
        return f.build();
    }
}
