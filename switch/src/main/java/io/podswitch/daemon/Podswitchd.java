package io.podswitch.daemon;

import io.podswitch.config.ConfigError;
import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * podswitchd's entry point (launcher {@code bin/podswitchd}): parses the command line, loads the
 * cluster config, starts the {@link Daemon} and runs until SIGTERM/SIGINT, when the shutdown hook
 * stops it cleanly.
 *
 * <p>Exit codes: 0 after a clean stop, 1 when startup fails (the message says why), 2 for an invalid
 * config (every error printed as {@code file:line:col: path: message}), 64 for a bad command line.
 */
public final class Podswitchd {
    private Podswitchd() {
    }

    /** What runs once the daemon serves, before {@code run} waits for the stop signal. */
    @FunctionalInterface
    public interface Started {
        void accept(Daemon daemon) throws Exception;
    }

    public static void main(String[] args) {
        // fabric8 logs through slf4j-simple: its warnings (watch failures, retries) join the daemon's log on stderr,
        // its per-request chatter does not. -Dorg.slf4j.simpleLogger.defaultLogLevel=debug shows everything.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(args, System.getenv()));
    }

    static int run(String[] args, Map<String, String> env) {
        return run(args, env, daemon -> { });
    }

    /**
     * As {@code main} without the exit, calling {@code started} once the daemon serves (a bench's podswitchd
     * adds a second control server there); a failure in it stops the daemon and returns 1.
     */
    public static int run(String[] args, Map<String, String> env, Started started) {
        DaemonOptions options;
        try {
            options = DaemonOptions.parse(args, env);
        } catch (DaemonOptions.UsageException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println("podswitchd: " + e.getMessage());
            }
            System.err.println(DaemonOptions.USAGE);
            return e.getMessage().isEmpty() ? 0 : 64;
        }
        ClusterConfig config;
        try {
            Map<String, String> configEnv = new HashMap<>(env);
            if (options.nodeName() != null) {
                configEnv.put("NODE_NAME", options.nodeName());
            }
            config = ConfigLoader.load(options.config(), configEnv);
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                System.err.println(error.format());
            }
            System.err.println("podswitchd: invalid configuration " + options.config() + " ("
                    + e.errors().size() + " error(s))");
            return 2;
        }
        Daemon daemon;
        try {
            daemon = Daemon.start(options, config);
        } catch (Exception e) {
            System.err.println("podswitchd: cannot start: " + e.getMessage());
            e.printStackTrace(System.err);
            return 1;
        }
        try {
            started.accept(daemon);
        } catch (Exception e) {
            System.err.println("podswitchd: cannot start: " + e.getMessage());
            daemon.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("podswitch-shutdown").unstarted(() -> {
            DaemonLog.info("stopping");
            daemon.close();
            stopped.countDown();
        }));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
