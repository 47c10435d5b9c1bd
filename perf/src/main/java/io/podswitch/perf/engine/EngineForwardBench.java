package io.podswitch.perf.engine;

import io.podswitch.graph.PacketProcessor;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.port.Port;
import io.podswitch.port.generator.GeneratorPort;
import io.podswitch.port.generator.UdpTemplate;
import io.podswitch.worker.Qsbr;
import io.podswitch.worker.Worker;
import io.podswitch.worker.WorkerConfig;
import io.podswitch.worker.forward.IoForward;
import io.podswitch.worker.forward.MacSwap;

import java.util.Arrays;
import java.util.Locale;

/**
 * One worker forwarding between two generator ports, as {@code dpdk-testpmd} does with two
 * {@code net_null} ports on one forwarding core: each port's RX is a generator, each port's TX a sink,
 * and the worker forwards port 0 → 1 and 1 → 0 in {@code io} or {@code macswap} mode. The worker's
 * duty cycle runs on the main thread in a tight loop (the equivalent of testpmd's lcore loop; an
 * AgentRunner with the spin idle strategy adds nothing while there is always work).
 *
 * <p>Usage: {@code EngineForwardBench [io|macswap] [seconds-per-sample=2] [samples=3] [burst=32] [fill|nofill]}.
 * {@code fill} (default) writes the 64-byte UDP template into every received frame (like net_null
 * with {@code copy=1}); {@code nofill} only sets the length, like net_null's default.
 * Prints each sample and the median, in Mpps forwarded per direction and in total.
 */
public final class EngineForwardBench {
    private EngineForwardBench() {
    }

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "io";
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int burst = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        boolean fill = args.length <= 4 || !args[4].equals("nofill");
        if (!mode.equals("io") && !mode.equals("macswap")) {
            System.err.println("usage: EngineForwardBench [io|macswap] [seconds] [samples] [burst]");
            System.exit(2);
        }
        double[] totals = run(mode, seconds, samples, burst, fill);
        double[] sorted = totals.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        System.out.printf(Locale.ROOT, "RESULT mode=%s%s burst=%d median total=%.2f Mpps per-direction=%.2f Mpps samples=%s%n",
                mode, fill ? "" : "-nofill", burst, median, median / 2, Arrays.toString(totals));
    }

    static double[] run(String mode, double seconds, int samples, int burst, boolean fill) {
        try (FrameSlab slab = new FrameSlab(8192)) {
            FramePool pool = new FramePool(slab);
            UdpTemplate template = GeneratorPort.udp4(0, "template", 1, slab).template();
            GeneratorPort p0 = new GeneratorPort(0, "null0", 1, slab, template, 1024, Long.MAX_VALUE, fill);
            GeneratorPort p1 = new GeneratorPort(1, "null1", 1, slab, template, 1024, Long.MAX_VALUE, fill);
            Port[] ports = {p0, p1};
            PacketProcessor processor = mode.equals("io")
                    ? new IoForward(slab, ports, 0, burst)
                    : new MacSwap(slab, ports, 0, burst);
            WorkerConfig config = WorkerConfig.defaults().withBurstSize(burst).withIdleStrategy("noop");
            Worker worker = new Worker(0, config, pool, processor, new Qsbr(1));
            worker.addRxQueue(p0, 0);
            worker.addRxQueue(p1, 0);
            worker.onStart();
            spin(worker, 2_000_000_000L); // warm-up: JIT, caches
            double[] mpps = new double[samples];
            for (int s = 0; s < samples; s++) {
                long before = p0.counters().txPackets() + p1.counters().txPackets();
                long t0 = System.nanoTime();
                spin(worker, (long) (seconds * 1e9));
                long elapsed = System.nanoTime() - t0;
                long sent = p0.counters().txPackets() + p1.counters().txPackets() - before;
                mpps[s] = sent * 1e3 / elapsed;
                System.out.printf(Locale.ROOT, "sample %d: %s total %.2f Mpps (%.2f per direction), max cycle %d ns%n",
                        s, mode, mpps[s], mpps[s] / 2, worker.publishedMaxCycleNs());
            }
            worker.onClose();
            return mpps;
        }
    }

    /** Runs duty cycles for about {@code nanos}, checking the clock every 1024 cycles. */
    private static void spin(Worker worker, long nanos) {
        long end = System.nanoTime() + nanos;
        do {
            for (int i = 0; i < 1024; i++) {
                worker.doWork();
            }
        } while (System.nanoTime() < end);
    }
}
