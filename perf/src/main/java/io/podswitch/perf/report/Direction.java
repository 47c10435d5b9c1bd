package io.podswitch.perf.report;

/** Which way a metric improves; compare and the ratio column depend on it. */
public enum Direction {
    HIGHER_IS_BETTER("higher"),
    LOWER_IS_BETTER("lower");

    private final String jsonName;

    Direction(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    public static Direction fromJson(String name) {
        for (Direction d : values()) {
            if (d.jsonName.equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown direction '" + name + "' (expected higher or lower)");
    }
}
