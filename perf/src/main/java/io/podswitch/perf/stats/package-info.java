/** Statistics over repeated measurements: median with min/max, percentiles. No dependencies. */
package io.podswitch.perf.stats;
