package io.podswitch.perf.bench.side;

/** Thrown by a bound side that cannot serve a request on this build or machine (e.g. no AF_XDP). */
public final class SideUnavailableException extends Exception {

    public SideUnavailableException(String reason) {
        super(reason);
    }
}
