package io.podswitch.perf.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** Several processes' CPU per GB beside the machine's: each read before and after the transfer, nothing else. */
class CpuPerByteMetricsTest {
    private static final Outcomes.Metric RATE = Outcomes.Metric.higher("tcp_throughput", "Gbit/s");
    private static final Outcomes.Metric SENDER = Outcomes.Metric.lower("sender_node_cpu_per_gb", "ms/GB");
    private static final Outcomes.Metric RECEIVER = Outcomes.Metric.lower("receiver_node_cpu_per_gb", "ms/GB");

    @Test
    void eachProcessIsChargedWhatItSpentDuringTheTransferPerGigabyte() throws Exception {
        AtomicLong sender = new AtomicLong(5_000_000_000L); // CPU spent before the transfer does not count
        AtomicLong receiver = new AtomicLong(7_000_000_000L);
        Map<Outcomes.Metric, LongSupplier> processes = new LinkedHashMap<>();
        processes.put(SENDER, sender::get);
        processes.put(RECEIVER, receiver::get);
        // 8 Gbit/s for 2 s = 2 GB; the sender's node spends 500 ms, the receiver's 300 ms meanwhile
        Map<String, Double> v = CpuPerByteMetrics.measure(RATE, Duration.ofSeconds(2), 2, processes, sender::get, d -> {
            sender.addAndGet(500_000_000L);
            receiver.addAndGet(300_000_000L);
            return 8.0;
        });
        assertEquals(8.0, v.get("tcp_throughput"));
        assertEquals(250.0, v.get("sender_node_cpu_per_gb"), 1e-9);
        assertEquals(150.0, v.get("receiver_node_cpu_per_gb"), 1e-9);
        for (Outcomes.Metric m : CpuPerByteMetrics.MACHINE) {
            assertTrue(v.containsKey(m.name()), m.name() + " in " + v);
        }
        assertFalse(v.containsKey(CpuPerByteMetrics.FORWARDER.name()), "only the processes asked for");
        assertTrue(v.get("cpu_per_gb") >= 250.0, "a process outside the bench's tree counts in the path's CPU: " + v);
    }

    @Test
    void theSingleForwarderFormStillReportsTheForwarder() throws Exception {
        AtomicLong workers = new AtomicLong();
        Map<String, Double> v = CpuPerByteMetrics.measure(RATE, Duration.ofSeconds(1), 1, Optional.of(workers::get), d -> {
            workers.addAndGet(100_000_000L);
            return 8.0; // 1 GB
        });
        assertEquals(100.0, v.get(CpuPerByteMetrics.FORWARDER.name()), 1e-9);
    }

    @Test
    void aTransferThatMovedNothingHasNoCpuPerByte() {
        assertThrows(IllegalStateException.class,
                () -> CpuPerByteMetrics.measure(RATE, Duration.ofSeconds(1), 1, Map.of(), () -> 0L, d -> 0.0));
    }
}
