package io.podswitch.perf.bench;

import java.time.Duration;
import java.util.Map;

/** One repetition of a step: runs for about {@code duration} and returns metric name → value. */
@FunctionalInterface
public interface Trial {

    Map<String, Double> run(Duration duration) throws Exception;
}
