/**
 * Where the CPU goes while a benchmark moves bytes: the machine's CPU time by kind (user, system,
 * softirq, ...) from {@code /proc/stat}, and its cost per gigabyte moved. Used by the pod-tcp scenario
 * for every subject (Linux bridge, kernel routing, podswitch, the TAP floor); any scenario that moves a
 * known number of bytes (cross-node) can use it the same way. No dependencies.
 */
package io.podswitch.perf.cpu;
