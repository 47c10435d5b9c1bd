package io.podswitch.perf.bench.side;

import java.nio.file.Path;

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
}
