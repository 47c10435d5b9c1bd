package io.podswitch.perf.report;

/**
 * Whether a measurement holds a number that may be reported. Only {@link #OK} values appear as
 * figures in report.md and take part in ratios and comparisons; every other status is shown as text.
 */
public enum Status {
    /** Measured; the values are the figure. */
    OK("ok"),
    /** Offered load was not above forwarded load: the generator, not the switch, was the limit. */
    GENERATOR_BOUND("generator-bound"),
    /** The podswitch side of this build cannot run this (e.g. the engine is not bound yet). */
    UNAVAILABLE("unavailable"),
    /** A baseline tool is not installed. */
    MISSING_TOOL("missing-tool"),
    /** Needs root (namespaces, TAP) and the harness runs without it. */
    NEEDS_ROOT("needs-root"),
    /** Ran and failed; the note holds the reason. */
    FAILED("failed"),
    /** Deliberately not run in this mode (e.g. a minutes-long autotest in smoke mode). */
    SKIPPED("skipped");

    private final String jsonName;

    Status(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    public static Status fromJson(String name) {
        for (Status s : values()) {
            if (s.jsonName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown status '" + name + "'");
    }
}
