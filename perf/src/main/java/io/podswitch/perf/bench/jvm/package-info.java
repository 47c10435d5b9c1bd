/**
 * Which JVM each podswitch subject of a bench run runs in: the flags podswitch ships with
 * ({@link io.podswitch.perf.bench.jvm.ShippedJvmFlags}, read from the launchers' flag files), the
 * compilers a JVM really has ({@link io.podswitch.perf.bench.jvm.Compilers}), and the record of every
 * subject JVM of a scenario for the report ({@link io.podswitch.perf.bench.jvm.SubjectJvmLog}), which
 * refuses to measure podswitch in a JVM without C2.
 */
package io.podswitch.perf.bench.jvm;
