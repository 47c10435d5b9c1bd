/**
 * Request/response latency over UDP between two namespaces, recorded in HdrHistogram and corrected
 * for coordinated omission (latency counts from the intended send time of a fixed-rate schedule).
 */
package io.podswitch.perf.bench.latency;
