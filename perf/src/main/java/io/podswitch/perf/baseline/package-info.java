/**
 * Baseline runners: external tools measured in the same run as podswitch (dpdk-testpmd, dpdk-test
 * LPM autotests, iperf3, trafgen, the reference CNI bridge plugin). Each finds its tool first and a
 * missing tool is reported as missing, never skipped in silence.
 */
package io.podswitch.perf.baseline;
