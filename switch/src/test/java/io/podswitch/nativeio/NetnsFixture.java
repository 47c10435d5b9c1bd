package io.podswitch.nativeio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Test helper: runs `ip` to build and tear down namespaces (tests may; production code may not). */
public final class NetnsFixture {
    private NetnsFixture() {
    }

    /** A short random hex suffix so parallel or leftover runs never collide. */
    public static String suffix() {
        return String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /** Runs a command, returns stdout; fails with stderr when it exits non-zero. */
    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command), e);
        }
    }

    /** Like {@link #run} but ignores failure (cleanup paths). */
    public static void quietly(String... command) {
        try {
            run(command);
        } catch (RuntimeException ignored) {
            // already gone
        }
    }
}
