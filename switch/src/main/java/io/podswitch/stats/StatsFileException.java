package io.podswitch.stats;

/** The stats file is missing, not a podswitch stats file, of another version, or truncated. */
public final class StatsFileException extends RuntimeException {
    public StatsFileException(String message) {
        super(message);
    }
}
