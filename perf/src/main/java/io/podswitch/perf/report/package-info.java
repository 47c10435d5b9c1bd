/**
 * The bench report: its model ({@link io.podswitch.perf.report.Report}, measurements, machine
 * description), report.json (versioned schema, see docs/bench-harness.md), report.md, SVG charts and
 * the comparison of two reports.
 */
package io.podswitch.perf.report;
