/**
 * The built-in bench scenarios. Each measures its podswitch side through a
 * {@link io.podswitch.perf.bench.side} seam and its baselines in the same run.
 */
package io.podswitch.perf.bench.scenario;
