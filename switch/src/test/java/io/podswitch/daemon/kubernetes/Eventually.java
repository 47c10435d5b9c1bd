package io.podswitch.daemon.kubernetes;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for state that arrives asynchronously (informer events); fails with a description, never on timing alone. */
final class Eventually {
    private Eventually() {
    }

    static void until(Duration limit, BooleanSupplier condition, Supplier<String> describe) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
        if (!condition.getAsBoolean()) {
            throw new AssertionError("not within " + limit.toSeconds() + " s: " + describe.get());
        }
    }
}
