package io.podswitch.graph;

/**
 * A token bucket (per worker): {@code ratePerSecond} tokens a second, at most {@code burst} saved.
 * Refilled from the cached clock in the slow tick, so taking a token is one compare and decrement.
 */
public final class TokenBucket {
    private static final long NANOS = 1_000_000_000L;
    private final long ratePerSecond;
    private final long capacity;
    /** Tokens scaled by 1e9, so that fractional refills are not lost. */
    private long scaledTokens;
    private long lastNanos = Long.MIN_VALUE;

    public TokenBucket(long ratePerSecond, long burst) {
        if (ratePerSecond < 0 || ratePerSecond > 1_000_000_000L || burst < 0 || burst > 1_000_000_000L) {
            throw new IllegalArgumentException("token bucket rate/burst out of range [0, 1e9]: " + ratePerSecond
                    + "/" + burst);
        }
        this.ratePerSecond = ratePerSecond;
        this.capacity = burst * NANOS;
        this.scaledTokens = capacity;
    }

    public void refill(long nowNanos) {
        if (lastNanos != Long.MIN_VALUE && nowNanos > lastNanos) {
            long elapsed = Math.min(nowNanos - lastNanos, 10 * NANOS);
            scaledTokens = Math.min(capacity, scaledTokens + elapsed * ratePerSecond);
        }
        lastNanos = nowNanos;
    }

    public boolean tryTake() {
        if (scaledTokens >= NANOS) {
            scaledTokens -= NANOS;
            return true;
        }
        return false;
    }

    public long tokens() {
        return scaledTokens / NANOS;
    }
}
