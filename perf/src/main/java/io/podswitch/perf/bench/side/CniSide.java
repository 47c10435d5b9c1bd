package io.podswitch.perf.bench.side;

import java.nio.file.Path;
import java.util.Optional;

/**
 * podswitch's CNI plugin as a runtime would call it. The harness times each call; an implementation
 * executes the plugin (or its in-process equivalent) against a running podswitchd.
 */
public interface CniSide {

    /** CNI ADD for a pod whose network namespace is at {@code netns}; returns when the plugin answered. */
    void add(String containerId, Path netns, String ifName) throws Exception;

    /** CNI DEL for the same pod. */
    void del(String containerId, Path netns, String ifName) throws Exception;

    /**
     * Called once after the scenario's last ADD/DEL (also when one failed): stop what the side
     * started for them (e.g. the daemon), so nothing keeps running into the next scenario.
     */
    default void finish() throws Exception {
    }

    /**
     * The same ADD/DEL without the plugin's process — the request straight to the daemon — when the
     * side can measure the daemon's share alone; empty otherwise.
     */
    default Optional<CniSide> daemonAlone() {
        return Optional.empty();
    }
}
