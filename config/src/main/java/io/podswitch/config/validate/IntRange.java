package io.podswitch.config.validate;

import io.podswitch.config.load.Located;
import io.podswitch.config.load.Problems;
import java.util.Optional;

/** Checks that a number lies in an inclusive range and says why the range is what it is. */
final class IntRange {

    private IntRange() {
    }

    /** True when absent or in {@code min..max}; otherwise reports "{value} is outside min..max{reason}". */
    static boolean check(Optional<Located<Integer>> value, int min, int max, String reason, Problems problems) {
        if (value.isEmpty()) {
            return true;
        }
        int v = value.get().value();
        if (v < min || v > max) {
            problems.report(value.get(), v + " is outside " + min + ".." + max + reason);
            return false;
        }
        return true;
    }
}
