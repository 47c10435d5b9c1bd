package io.podswitch.perf.report;

import java.util.List;

/** The options a bench run was made with; recorded so a report says how its numbers were taken. */
public record RunSettings(double durationSeconds, double warmupSeconds, int repeat, List<Integer> cores,
                          List<Integer> packetSizes, boolean smoke, long seed) {

    public RunSettings {
        cores = List.copyOf(cores);
        packetSizes = List.copyOf(packetSizes);
    }
}
