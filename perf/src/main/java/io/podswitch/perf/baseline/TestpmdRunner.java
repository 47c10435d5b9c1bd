package io.podswitch.perf.baseline;

import io.podswitch.perf.topo.BackgroundProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * DPDK's testpmd forwarding between two {@code net_null} ports, without hugepages or PCI devices:
 * the reference for the engine scenario (null ports on both sides, nothing but the forwarding loop).
 * {@code io} forwards untouched; {@code macswap} rewrites the Ethernet header of every packet.
 */
public final class TestpmdRunner {

    /** testpmd needs at least this long to print two statistics blocks (one per second). */
    public static final Duration MIN_STEADY = Duration.ofMillis(2500);

    /** The header of each statistics block testpmd prints every {@code --stats-period} (and flushes). */
    static final String STATISTICS_HEADER = "Port statistics";

    /** How long testpmd may take from launch to its first statistics block before the run counts as hung. */
    static final Duration START_BOUND = Duration.ofSeconds(120);

    private final Path testpmd;

    public TestpmdRunner(Path testpmd) {
        this.testpmd = testpmd;
    }

    /** The command line; lcore 0 (statistics) and the forwarding lcores are mapped onto {@code cores}. */
    public List<String> command(String mode, int workers, int packetSize, List<Integer> cores, String filePrefix) {
        if (!mode.equals("io") && !mode.equals("macswap")) {
            throw new IllegalArgumentException("testpmd mode must be io or macswap, got " + mode);
        }
        StringBuilder lcores = new StringBuilder("0@" + cores.getFirst());
        for (int i = 1; i <= workers; i++) {
            lcores.append(',').append(i).append('@').append(cores.get((i - 1) % cores.size()));
        }
        int queues = Math.max(1, (workers + 1) / 2); // two ports: 2 × queues streams shared by the workers
        List<String> cmd = new ArrayList<>(List.of(testpmd.toString(), "--no-huge", "-m", "512", "--no-pci",
                "--vdev", "net_null0,size=" + (packetSize - 4), "--vdev", "net_null1,size=" + (packetSize - 4),
                "--lcores", lcores.toString(), "--file-prefix", filePrefix, "--log-level", "lib.eal:error", "--",
                "--forward-mode=" + mode, "--stats-period", "1", "--nb-cores=" + workers, "--rxq=" + queues,
                "--txq=" + queues, "--total-num-mbufs=8192"));
        return cmd;
    }

    /**
     * Forwards for about {@code duration} from testpmd's first statistics block; returns Mpps (steady-state,
     * or the whole-run average if short).
     */
    public double forwardMpps(String mode, int workers, int packetSize, List<Integer> cores, Duration duration)
            throws IOException, InterruptedException {
        try (DpdkRuntimeDir runtime = new DpdkRuntimeDir("testpmd");
             BackgroundProcess p = BackgroundProcess.start(command(mode, workers, packetSize, cores, runtime.prefix()))) {
            awaitFirstStatistics(p, START_BOUND);
            long start = System.nanoTime();
            if (p.waitFor(duration.toMillis())) {
                throw new IOException("dpdk-testpmd exited early (" + p.exitCode() + "): " + tail(p.stdout() + p.stderr()));
            }
            p.interrupt(10_000);
            long elapsed = System.nanoTime() - start;
            String out = p.stdout();
            OptionalDouble steady = TestpmdOutput.steadyMpps(out);
            if (steady.isPresent()) {
                return steady.getAsDouble();
            }
            OptionalDouble total = TestpmdOutput.accumulatedTxPackets(out);
            if (total.isPresent()) {
                return total.getAsDouble() / (elapsed / 1e9) / 1e6;
            }
            throw new IOException("dpdk-testpmd printed no statistics: " + tail(out + p.stderr()));
        }
    }

    /**
     * The measured window starts once testpmd forwards: its first statistics block. EAL start-up takes from
     * half a second on a quiet machine to many seconds on a loaded one, and a SIGINT that arrives before
     * testpmd installs its handler ends it without any statistics — a fixed window from launch failed that
     * way under load. The bound is for a hang, not a speed. stdout is read as it comes: waiting on the whole
     * output would block until testpmd exits.
     */
    static void awaitFirstStatistics(BackgroundProcess p, Duration bound) throws IOException, InterruptedException {
        if (p.awaitStdoutLine(line -> line.contains(STATISTICS_HEADER), bound).isPresent()) {
            return;
        }
        if (p.stdoutEnded()) {
            String code = exitCode(p);
            // Once it has exited, wait for both streams to be read out: stderr's reader may still be behind
            // stdout's (the message that says why is usually on stderr).
            String output = p.isAlive() ? p.outputSoFar() : p.stdout() + p.stderr();
            throw new IOException("dpdk-testpmd exited before forwarding (" + code + "): " + tail(output));
        }
        throw new IOException("dpdk-testpmd printed no statistics within " + bound.toSeconds() + " s of its launch"
                + " (EAL start-up or forwarding set-up hung): " + tail(p.outputSoFar()));
    }

    private static String exitCode(BackgroundProcess p) throws InterruptedException {
        return p.waitFor(5000) ? Integer.toString(p.exitCode()) : "still running with stdout closed";
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() > 400 ? "…" + t.substring(t.length() - 400) : t;
    }
}
