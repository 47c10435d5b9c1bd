/**
 * {@code podswitch bench}: the command line, the scenario SPI ({@link io.podswitch.perf.bench.Scenario}),
 * the runner (warm-up, repetitions, progress, generator guard) and the seams through which the
 * podswitch side of each scenario is bound ({@link io.podswitch.perf.bench.PodswitchSides}).
 */
package io.podswitch.perf.bench;
