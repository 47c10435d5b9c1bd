package io.podswitch.perf.baseline;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads dpdk-testpmd's output: the periodic "Port statistics" blocks ({@code --stats-period}) with
 * a {@code Tx-pps:} line per port, and the final "Accumulated forward statistics" block.
 */
public final class TestpmdOutput {

    private static final Pattern TX_PPS = Pattern.compile("Tx-pps:\\s+(\\d+)");
    private static final Pattern ACCUMULATED_TX = Pattern.compile(
            "Accumulated forward statistics for all ports.*?TX-packets:\\s+(\\d+)", Pattern.DOTALL);

    private TestpmdOutput() {
    }

    /** Total forwarded packets per second of each periodic statistics block (summed over ports). */
    public static List<Double> periodicTxPps(String output) {
        List<Double> totals = new ArrayList<>();
        String[] blocks = output.split("Port statistics");
        for (int i = 1; i < blocks.length; i++) {
            Matcher m = TX_PPS.matcher(blocks[i]);
            double sum = 0;
            boolean any = false;
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
                any = true;
            }
            if (any) {
                totals.add(sum);
            }
        }
        return totals;
    }

    /** Packets transmitted over the whole run, from the final summary, if printed. */
    public static OptionalDouble accumulatedTxPackets(String output) {
        Matcher m = ACCUMULATED_TX.matcher(output);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    /**
     * The steady-state forwarding rate in Mpps: the median of the periodic blocks after the first
     * (which includes start-up); empty when fewer than two blocks were printed.
     */
    public static OptionalDouble steadyMpps(String output) {
        List<Double> blocks = periodicTxPps(output);
        if (blocks.size() < 2) {
            return OptionalDouble.empty();
        }
        double[] steady = blocks.subList(1, blocks.size()).stream().mapToDouble(Double::doubleValue).toArray();
        return OptionalDouble.of(io.podswitch.perf.stats.Summary.of(steady).median() / 1e6);
    }
}
