package io.podswitch.perf.baseline;

import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs DPDK's LPM performance autotests ({@code lpm_perf_autotest}: ~1M IPv4 routes with a real
 * prefix-length distribution; {@code lpm6_perf_autotest}) without hugepages, and returns cycles per
 * operation. They take minutes on a loaded machine, hence the generous timeout.
 */
public final class LpmAutotestRunner {

    public static final Duration TIMEOUT = Duration.ofMinutes(20);

    private final Path dpdkTest;
    private final Optional<Path> stdbuf;

    /** @param stdbuf coreutils' stdbuf, to keep output line-buffered (optional) */
    public LpmAutotestRunner(Path dpdkTest, Optional<Path> stdbuf) {
        this.dpdkTest = dpdkTest;
        this.stdbuf = stdbuf;
    }

    public List<String> command(String test, int core, String filePrefix) {
        if (!test.equals("lpm_perf_autotest") && !test.equals("lpm6_perf_autotest")) {
            throw new IllegalArgumentException("unknown LPM autotest '" + test + "'");
        }
        List<String> cmd = new ArrayList<>(List.of("env", "DPDK_TEST=" + test));
        stdbuf.ifPresent(s -> cmd.addAll(List.of(s.toString(), "-oL")));
        cmd.addAll(List.of(dpdkTest.toString(), "--no-huge", "-m", "1024", "--no-pci", "-l", Integer.toString(core),
                "--file-prefix", filePrefix, "--log-level", "lib.eal:error"));
        return cmd;
    }

    public Map<String, Double> run(String test, int core) throws IOException {
        Exec.Result r;
        try (DpdkRuntimeDir runtime = new DpdkRuntimeDir("lpm")) {
            r = Exec.exec(command(test, core, runtime.prefix()), TIMEOUT);
        }
        Map<String, Double> cycles = LpmAutotestOutput.cycles(r.stdout());
        if (r.exitCode() != 0 || cycles.isEmpty()) {
            String out = (r.stdout() + r.stderr()).strip();
            throw new IOException("dpdk-test " + test + " exited with " + r.exitCode() + " and "
                    + cycles.size() + " figures: " + (out.length() > 300 ? "…" + out.substring(out.length() - 300) : out));
        }
        return cycles;
    }
}
