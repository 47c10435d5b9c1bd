package io.podswitch.perf.baseline;

import io.podswitch.perf.topo.BackgroundProcess;
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.ForwardPath;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offers UDP frames of one size along a {@link ForwardPath} with trafgen for a while and measures
 * offered (generator TX) and forwarded (sink RX) packets per second from the link counters.
 */
public final class TrafgenLoad {

    public static final String OFFERED = "offered_mpps";
    public static final String FORWARDED = "forwarded_mpps";
    public static final String LOSS = "loss_percent";

    /** Time trafgen gets to start sending before the counting window opens. */
    static final Duration RAMP = Duration.ofMillis(150);

    private final Path trafgen;

    public TrafgenLoad(Path trafgen) {
        this.trafgen = trafgen;
    }

    /**
     * @param generatorCpus trafgen processes (forks); more than one to outrun a fast forwarder
     * @return offered/forwarded Mpps and loss %, plus the elapsed nanoseconds under "elapsed_ns"
     */
    public Map<String, Double> run(ForwardPath path, int wireSize, Duration duration, int generatorCpus) throws IOException,
            InterruptedException {
        try {
            return run(path, wireSize, duration, generatorCpus, false);
        } catch (TxRingFull e) {
            // trafgen's fast path (PF_PACKET TX ring without qdisc) gives up when the device
            // pushes back (EAGAIN on veth under XDP); the qdisc path queues instead.
            return run(path, wireSize, duration, generatorCpus, true);
        }
    }

    /** trafgen stopped because the device refused its TX ring flush. */
    private static final class TxRingFull extends IOException {
        TxRingFull(String message) {
            super(message);
        }
    }

    private Map<String, Double> run(ForwardPath path, int wireSize, Duration duration, int generatorCpus,
                                    boolean qdiscPath) throws IOException, InterruptedException {
        Path conf = Files.createTempFile("podswitch-trafgen-", ".cfg");
        try {
            Files.writeString(conf, TrafgenConfig.udp(wireSize, path.srcMac(), path.dstMac(), path.srcIp(),
                    path.dstIp(), 40000, 9));
            List<String> cmd = new ArrayList<>(Exec.inNetns(path.genNs(), trafgen.toString(), "--dev", path.genDev(),
                    "--conf", conf.toString(), "--cpus", Integer.toString(generatorCpus), "--no-sock-mem",
                    "--notouch-irq", "--no-cpu-stats"));
            if (qdiscPath) {
                cmd.add("--qdisc-path");
            }
            try (BackgroundProcess gen = BackgroundProcess.start(cmd)) {
                // Count over a window that starts once trafgen is sending and ends before it is
                // stopped, so neither its start-up nor its exit is part of the rate.
                if (gen.waitFor(RAMP.toMillis())) {
                    throw earlyExit(gen, qdiscPath);
                }
                long tx0 = Topology.counter(path.genNs(), path.genDev(), "tx", "packets");
                long rx0 = Topology.counter(path.sinkNs(), path.sinkDev(), "rx", "packets");
                long start = System.nanoTime();
                Thread.sleep(duration.toMillis());
                long tx = Topology.counter(path.genNs(), path.genDev(), "tx", "packets") - tx0;
                long rx = Topology.counter(path.sinkNs(), path.sinkDev(), "rx", "packets") - rx0;
                long elapsed = System.nanoTime() - start;
                if (!gen.isAlive()) {
                    throw earlyExit(gen, qdiscPath);
                }
                return rates(tx, rx, elapsed);
            }
        } finally {
            Files.deleteIfExists(conf);
        }
    }

    private static IOException earlyExit(BackgroundProcess gen, boolean qdiscPath) {
        String why = gen.stderr().strip();
        String message = "trafgen exited early (" + gen.exitCode() + "): " + why;
        return !qdiscPath && why.contains("TX_RING") ? new TxRingFull(message) : new IOException(message);
    }

    private static Map<String, Double> rates(long tx, long rx, long elapsed) {
        double seconds = elapsed / 1e9;
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(OFFERED, tx / seconds / 1e6);
        values.put(FORWARDED, rx / seconds / 1e6);
        values.put(LOSS, tx == 0 ? 0.0 : Math.max(0, tx - rx) * 100.0 / tx);
        values.put("elapsed_ns", (double) elapsed);
        values.put("forwarded_packets", (double) rx);
        return values;
    }
}
