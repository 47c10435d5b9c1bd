/**
 * The control-api scenario's parts: the plugin's ADD/DEL as a client ({@link
 * io.podswitch.perf.bench.controlapi.PluginClient}), a faked data plane behind the control API ({@link
 * io.podswitch.perf.bench.controlapi.CannedCni}) and the interleaved timing of several servers ({@link
 * io.podswitch.perf.bench.controlapi.ServerRace}). The baseline server itself is
 * {@link io.podswitch.perf.baseline.HandWrittenControlServer}.
 */
package io.podswitch.perf.bench.controlapi;
