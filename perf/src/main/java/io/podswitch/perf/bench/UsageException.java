package io.podswitch.perf.bench;

/** A command line the bench command cannot accept; the message says which argument and why. */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }
}
