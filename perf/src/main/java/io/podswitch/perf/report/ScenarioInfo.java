package io.podswitch.perf.report;

/** A scenario that ran, with its one-line description and how long it took. */
public record ScenarioInfo(String name, String description, double elapsedSeconds) {
}
