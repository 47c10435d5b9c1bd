package io.podswitch.perf.report;

import java.util.List;

/**
 * Everything one bench run produced. report.json is this record in the schema described in
 * docs/bench-harness.md; {@link #SCHEMA_VERSION} changes whenever a field changes meaning or goes away
 * (adding a field is compatible and keeps the version).
 */
public record Report(int schemaVersion, MachineDescription machine, RunSettings settings,
                     List<ScenarioInfo> scenarios, List<MissingTool> missingTools, List<Measurement> measurements) {

    public static final String SCHEMA = "podswitch-bench-report";
    public static final int SCHEMA_VERSION = 1;

    public Report {
        scenarios = List.copyOf(scenarios);
        missingTools = List.copyOf(missingTools);
        measurements = List.copyOf(measurements);
    }
}
