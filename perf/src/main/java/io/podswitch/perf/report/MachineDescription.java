package io.podswitch.perf.report;

import java.util.List;

/**
 * The machine a report was taken on, so that two reports can be judged comparable (or not).
 * Unreadable fields are "unknown", never guessed.
 */
public record MachineDescription(String hostname, String cpuModel, int logicalCores, String cpuFrequency,
                                 String governor, String kernel, String jdk, List<String> jvmFlags, String date,
                                 String gitCommit) {

    public static final String UNKNOWN = "unknown";

    public MachineDescription {
        jvmFlags = List.copyOf(jvmFlags);
    }
}
