package io.podswitch.daemon.pod;

import io.podswitch.api.ApiError;

/** A request the daemon refuses or fails, with the CNI error it answers (code, message, details). */
public final class ApiException extends Exception {
    private final transient ApiError error;

    public ApiException(int code, String msg, String details) {
        super(msg + (details == null || details.isEmpty() ? "" : ": " + details));
        this.error = new ApiError(code, msg, details == null ? "" : details);
    }

    public ApiException(int code, String msg, String details, Throwable cause) {
        this(code, msg, details);
        initCause(cause);
    }

    public ApiError error() {
        return error;
    }
}
