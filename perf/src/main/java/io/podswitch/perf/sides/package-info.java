/**
 * The real engine bound to the bench harness's seams ({@link io.podswitch.perf.bench.side}):
 * {@link io.podswitch.perf.sides.NullPortEngineSide} runs workers on generator ports (io forwarding
 * and the L3 graph over the FIB), {@link io.podswitch.perf.sides.L3SwitchPathSide} routes between two
 * pods attached by TAP or by AF_XDP on veths. Registered in {@code META-INF/services}.
 */
package io.podswitch.perf.sides;
