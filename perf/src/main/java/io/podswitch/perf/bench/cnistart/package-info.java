/**
 * What the cni-start scenario compares the shipped plugin launcher with: the plugin's start with
 * Jackson doing its JSON ({@link io.podswitch.perf.bench.cnistart.JacksonPlugin}).
 */
package io.podswitch.perf.bench.cnistart;
