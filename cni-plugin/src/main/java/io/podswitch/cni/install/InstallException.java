package io.podswitch.cni.install;

/** install-cni cannot go on; {@link #exitCode} says why (2: bad conflist, 1: anything else). */
final class InstallException extends Exception {
    static final int FAILED = 1;
    static final int INVALID_CONFLIST = 2;

    private final int exitCode;

    InstallException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    InstallException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = FAILED;
    }

    int exitCode() {
        return exitCode;
    }
}
