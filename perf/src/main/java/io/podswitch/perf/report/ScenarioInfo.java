package io.podswitch.perf.report;

import java.util.List;

/**
 * A scenario that ran, with its one-line description, how long it took and the JVMs its subjects ran
 * in (empty for scenarios whose subjects are not Java, and in reports written before the field existed).
 */
public record ScenarioInfo(String name, String description, double elapsedSeconds, List<SubjectJvm> subjects) {

    public ScenarioInfo {
        subjects = List.copyOf(subjects);
    }

    public ScenarioInfo(String name, String description, double elapsedSeconds) {
        this(name, description, elapsedSeconds, List.of());
    }
}
