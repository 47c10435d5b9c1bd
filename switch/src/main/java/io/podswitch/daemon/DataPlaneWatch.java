package io.podswitch.daemon;

import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.health.Gate;
import io.podswitch.daemon.host.HostPort;
import io.podswitch.nativeio.LinkInfo;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.Netlink;
import java.util.Optional;

/**
 * Keeps the {@code dataplane} readiness gate true to what the node's data plane can do, every
 * {@link #PERIOD_MS} on the control thread: every worker thread alive, the host TAP present and
 * running, the uplink NIC (on a multi-node daemon) present and running. When the host TAP comes back
 * up after someone set it down, the kernel side is restored (routes, addresses), so the node reaches
 * its pods again without a restart.
 */
final class DataPlaneWatch implements AutoCloseable {
    static final long PERIOD_MS = 1000;

    private final SwitchEngine engine;
    private final HostPort host;
    private final String uplink;
    private final Gate gate;
    private final Netlink netlink = Netlink.open();
    private boolean hostWasRunning = true;

    /** @param uplink the uplink NIC's name, or null on a single-node daemon */
    DataPlaneWatch(SwitchEngine engine, HostPort host, String uplink, Gate gate) {
        this.engine = engine;
        this.host = host;
        this.uplink = uplink;
        this.gate = gate;
    }

    /** One look; sets the gate. Never throws (a failure to look is a failing gate, logged once by it). */
    void check() {
        try {
            String problem = problem();
            if (problem == null) {
                gate.pass(engine.workerCount() + " worker(s) running, " + host.port().name() + " up"
                        + (uplink == null ? "" : ", uplink " + uplink + " up"));
            } else {
                gate.fail(problem);
            }
        } catch (RuntimeException e) {
            gate.fail("cannot check the data plane: " + e.getMessage());
        }
    }

    private String problem() {
        if (!engine.running()) {
            return "a worker thread has stopped";
        }
        String hostName = host.port().name();
        Optional<LinkInfo> hostLink = netlink.findLink(hostName);
        boolean hostRunning = hostLink.isPresent() && hostLink.get().isRunning();
        if (hostRunning && !hostWasRunning) {
            try {
                host.restoreKernelSide(netlink);
                DaemonLog.info("host port " + hostName + " is up again: kernel routes and addresses restored");
            } catch (NativeException e) {
                hostWasRunning = false;
                return "host port " + hostName + " is up but its routes cannot be restored: " + e.getMessage();
            }
        }
        hostWasRunning = hostRunning;
        if (hostLink.isEmpty()) {
            return "host port " + hostName + " is gone";
        }
        if (!hostRunning) {
            return "host port " + hostName + " is down";
        }
        if (uplink != null) {
            Optional<LinkInfo> up = netlink.findLink(uplink);
            if (up.isEmpty()) {
                return "uplink " + uplink + " is gone";
            }
            if (!up.get().isRunning()) {
                return "uplink " + uplink + " is down (no carrier or set down)";
            }
        }
        return null;
    }

    @Override
    public void close() {
        netlink.close();
    }
}
