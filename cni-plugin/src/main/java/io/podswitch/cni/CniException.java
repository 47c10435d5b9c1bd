package io.podswitch.cni;

/**
 * A failure the plugin reports to the runtime as a spec error result: a well-known CNI code
 * ({@link io.podswitch.api.ApiError} constants), a short message and details that say exactly what
 * was wrong and where.
 */
public final class CniException extends RuntimeException {
    private final int code;
    private final String details;

    public CniException(int code, String msg, String details) {
        super(msg);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public int code() {
        return code;
    }

    public String msg() {
        return getMessage();
    }

    public String details() {
        return details;
    }
}
