package io.podswitch.daemon;

import java.time.Instant;

/**
 * The daemon's log: one line per event on stderr (journald and kubectl logs collect it), with a UTC
 * timestamp. Control plane only; the data path never logs, it counts.
 */
public final class DaemonLog {
    private DaemonLog() {
    }

    public static void info(String message) {
        System.err.println(Instant.now() + " podswitchd: " + message);
    }

    public static void warn(String message, Throwable cause) {
        System.err.println(Instant.now() + " podswitchd: WARNING " + message
                + (cause == null ? "" : ": " + cause));
    }
}
