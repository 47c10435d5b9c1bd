package io.podswitch.perf.bench;

import java.nio.file.Path;

/** What the command line asked for: a run, a comparison, the scenario list, or help. */
public sealed interface BenchInvocation {

    record Run(BenchSettings settings) implements BenchInvocation {
    }

    record Compare(Path oldReport, Path newReport, double thresholdPercent) implements BenchInvocation {
    }

    record ListScenarios() implements BenchInvocation {
    }

    record Help() implements BenchInvocation {
    }
}
