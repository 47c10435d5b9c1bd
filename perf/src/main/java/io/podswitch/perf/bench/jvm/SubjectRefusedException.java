package io.podswitch.perf.bench.jvm;

/**
 * Thrown instead of measuring podswitch in a JVM that is not the one it ships in (no C2): such a
 * figure would be a fraction of the product's. Scenarios report it as a failed measurement.
 */
public final class SubjectRefusedException extends Exception {

    public SubjectRefusedException(String reason) {
        super(reason);
    }
}
