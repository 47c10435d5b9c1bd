package io.podswitch.perf.bench;

import io.podswitch.perf.report.Measurement;

import java.util.List;

/**
 * One bench scenario: builds what it needs, measures the podswitch side and its baselines in the
 * same run, and returns the measurements (figures, or the reason a figure could not be taken).
 *
 * <p>Contract: every step goes through {@link ScenarioContext#measure} (warm-up excluded, N
 * repetitions, progress); a missing tool is looked up through {@link ScenarioContext#tool} so it is
 * reported; in smoke mode every step still runs, minimally; failures of one side become a
 * {@link io.podswitch.perf.report.Status#FAILED} measurement rather than aborting the others;
 * everything built (namespaces, links, processes) is torn down before {@code run} returns.
 * Implementations are registered in {@link ScenarioRegistry} or through {@link java.util.ServiceLoader}.
 */
public interface Scenario {

    /** Lower-case name used on the command line, e.g. {@code tap-forward}. */
    String name();

    /** One line for {@code bench list} and the report. */
    String description();

    /** Root and the external tools the scenario uses (each one optional: missing ones are reported). */
    Requirements requirements();

    /** How many {@link ScenarioContext#measure} steps a run with these settings makes, for progress. */
    int plannedSteps(BenchSettings settings);

    List<Measurement> run(ScenarioContext context) throws Exception;
}
