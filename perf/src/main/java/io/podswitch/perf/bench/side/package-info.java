/**
 * The seams through which a scenario drives podswitch itself. The harness and the baselines work
 * without them; the engine, the TAP/AF_XDP switch path and the CNI plugin are bound here by
 * registering implementations with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.podswitch.perf.bench.side.EngineSide} etc.). Until bound, scenarios
 * report their podswitch side as "unavailable in this build" and still run their baselines.
 */
package io.podswitch.perf.bench.side;
