package io.podswitch.perf.sides;

import io.podswitch.daemon.Podswitchd;
import io.podswitch.perf.baseline.HandWrittenControlServer;
import java.nio.file.Path;

/**
 * A real podswitchd (bin/podswitchd's JVM flags, TAPs, netns, IPAM with its fsyncs) that serves its control API
 * on two sockets: its own Netty server, and beside it the pre-Netty server
 * ({@link HandWrittenControlServer}) in front of the very same {@code ControlApi} — so the control-api
 * scenario can time real ADDs on both servers of one daemon. {@link #main} is the child JVM's entry point:
 * podswitchd's own {@code Podswitchd.run}, plus the second server once the daemon serves.
 */
public final class TwoServerPodswitchd implements AutoCloseable {
    /** The hand-written server's socket, beside podswitchd.sock in the daemon's run directory. */
    static final String HAND_WRITTEN_SOCKET = "podswitchd-hand-written.sock";
    private static final int MAX_PODS = 256;

    private final PodswitchdProcess daemon;

    private TwoServerPodswitchd(PodswitchdProcess daemon) {
        this.daemon = daemon;
    }

    public static void main(String[] args) {
        System.exit(Podswitchd.run(args, System.getenv(), daemon -> HandWrittenControlServer.start(
                daemon.options().socket().resolveSibling(HAND_WRITTEN_SOCKET), daemon.controlApi()::handle)));
    }

    /** Starts an IPv4 single-node podswitchd (as the cni scenario's) and returns once both sockets answer. */
    public static TwoServerPodswitchd start() throws Exception {
        PodswitchdProcess daemon = PodswitchdProcess.start(PodswitchdCniSide.absoluteClassPath(),
                TwoServerPodswitchd.class.getName(), "IPv4", MAX_PODS);
        try {
            daemon.awaitAlso(daemon.socket().resolveSibling(HAND_WRITTEN_SOCKET));
            return new TwoServerPodswitchd(daemon);
        } catch (Exception e) {
            daemon.close();
            throw e;
        }
    }

    /** podswitchd's own control socket (Netty). */
    public Path nettySocket() {
        return daemon.socket();
    }

    /** The pre-Netty server's socket, same daemon, same handler. */
    public Path handWrittenSocket() {
        return daemon.socket().resolveSibling(HAND_WRITTEN_SOCKET);
    }

    /** The daemon's log so far (for a failure's message). */
    public String log() {
        return daemon.log();
    }

    /** Stops the daemon (SIGTERM, then SIGKILL) and deletes its directory. */
    @Override
    public void close() {
        daemon.close();
    }
}
