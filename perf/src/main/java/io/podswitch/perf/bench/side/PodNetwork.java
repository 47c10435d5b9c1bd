package io.podswitch.perf.bench.side;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One running podswitch node ({@link PodNetworkSide#start}): what runtimes and checks need from it. */
public interface PodNetwork extends AutoCloseable {

    /** The CNI bin dir with the installed {@code podswitch-cni} launcher and the reference plugins a conflist chains. */
    Path cniBinDir();

    /** The installed conflist (the shipped one, naming this daemon's socket), with {@code network} as its name. */
    String conflist(String network) throws IOException;

    /** podswitchd's control socket (what the conflist names). */
    Path socketPath();

    /** The pods' gateway of a family, or null when the cluster does not have that family. */
    String gateway(boolean ipv6);

    /** The node's own address on its host port (the TAP into the switch), or null. */
    String hostAddress(boolean ipv6) throws IOException;

    /** containerID → addresses of the pods podswitchd has wired now. */
    Map<String, List<String>> pods() throws IOException;

    /** containerID → addresses IPAM holds, the node's host port included. */
    Map<String, List<String>> allocations() throws IOException;

    /** podswitchd's state directory (ipam.state, pods.json): what a crash left on disk. */
    Path stateDir();

    /** The daemon's process id (file descriptors, memory). */
    long daemonPid();

    /**
     * SIGKILL of the daemon, as a crash: no shutdown hook, nothing cleaned up. Returns once the daemon is
     * gone for its clients too (process exited, its socket refuses connections), so that whatever answers
     * after {@link #restart} is the new daemon.
     */
    void kill9() throws Exception;

    /** Starts the daemon again on the same state after {@link #kill9}; returns once it answers. */
    void restart() throws Exception;

    /** The end of the daemon's log, for failure messages. */
    String daemonLog();

    /** Stops the daemon, uninstalls the plugin, deletes everything. */
    @Override
    void close();
}
