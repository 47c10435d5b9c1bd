package io.podswitch.daemon.ipam;

/** An IPAM request that cannot be met (range exhausted, address taken, state file unreadable). */
public final class IpamException extends Exception {
    public enum Reason { EXHAUSTED, CONFLICT, INVALID_REQUEST, STORAGE }

    private final Reason reason;

    public IpamException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public IpamException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
