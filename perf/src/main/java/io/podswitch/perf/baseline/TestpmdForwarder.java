package io.podswitch.perf.baseline;

import io.podswitch.perf.topo.BackgroundProcess;
import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * dpdk-testpmd as the forwarder of a namespace path, on the same kinds of ports podswitch uses:
 * {@code net_af_xdp} on two veths, or {@code net_tap} creating two TAP devices. io mode: frames
 * go out of one port exactly as they came in on the other. Runs until closed; its CPU time is the
 * forwarder's CPU (a poll-mode core is always busy, so CPU per packet is its real cost).
 */
public final class TestpmdForwarder implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final BackgroundProcess process;
    private final DpdkRuntimeDir runtime;

    private TestpmdForwarder(BackgroundProcess process, DpdkRuntimeDir runtime) {
        this.process = process;
        this.runtime = runtime;
    }

    /** Forwards between AF_XDP sockets on {@code ifaceA} and {@code ifaceB}, inside {@code netns}. */
    public static TestpmdForwarder afXdp(Path testpmd, String netns, String ifaceA, String ifaceB, int core)
            throws IOException {
        return start(testpmd, netns, "net_af_xdp0,iface=" + ifaceA, "net_af_xdp1,iface=" + ifaceB, core);
    }

    /** Creates TAP devices {@code tapA} and {@code tapB} in {@code netns} and forwards between them. */
    public static TestpmdForwarder tap(Path testpmd, String netns, String tapA, String tapB, int core)
            throws IOException {
        TestpmdForwarder f = start(testpmd, netns, "net_tap0,iface=" + tapA, "net_tap1,iface=" + tapB, core);
        try {
            f.awaitLink(netns, tapB);
            return f;
        } catch (IOException e) {
            f.close();
            throw e;
        }
    }

    static List<String> command(Path testpmd, String netns, String vdevA, String vdevB, int core, String prefix) {
        List<String> cmd = new ArrayList<>(Exec.inNetns(netns, testpmd.toString(), "--no-huge", "-m", "512",
                "--no-pci", "--vdev", vdevA, "--vdev", vdevB, "--lcores", "0@" + core + ",1@" + core, "--file-prefix",
                prefix, "--log-level", "lib.eal:error", "--", "--forward-mode=io", "--nb-cores=1",
                "--total-num-mbufs=8192", "--stats-period", "10"));
        return cmd;
    }

    private static TestpmdForwarder start(Path testpmd, String netns, String vdevA, String vdevB, int core)
            throws IOException {
        DpdkRuntimeDir runtime = new DpdkRuntimeDir("fwd");
        try {
            return new TestpmdForwarder(BackgroundProcess.start(command(testpmd, netns, vdevA, vdevB, core,
                    runtime.prefix())), runtime);
        } catch (IOException e) {
            runtime.close();
            throw e;
        }
    }

    private void awaitLink(String netns, String dev) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("dpdk-testpmd exited (" + process.exitCode() + "): " + process.stderr().strip());
            }
            // testpmd configures the TAPs by name in its namespace and brings them up last:
            // only an UP link may be moved away without breaking its start.
            Exec.Result r = Exec.exec(List.of("ip", "-n", netns, "-o", "link", "show", dev), Exec.DEFAULT_TIMEOUT);
            if (r.exitCode() == 0 && r.stdout().matches("(?s).*[<,]UP[,>].*")) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + dev, e);
            }
        }
        throw new IOException("dpdk-testpmd did not bring " + dev + " up within " + READY_TIMEOUT);
    }

    /** CPU time testpmd has used so far. */
    public long cpuNanos() {
        return process.cpuNanos();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        try {
            process.interrupt(5000);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            process.close();
            runtime.close();
        }
    }
}
