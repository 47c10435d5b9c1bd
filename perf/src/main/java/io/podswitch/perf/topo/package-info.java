/**
 * Bench topologies built from network namespaces and veth pairs with {@code ip} (bench tooling,
 * not the daemon): unique names per run, and teardown guaranteed by close(), by {@link
 * io.podswitch.perf.topo.BenchShutdown} if the JVM is stopped (processes first, then namespaces), and by
 * deleting the namespaces (which takes their links with them).
 */
package io.podswitch.perf.topo;
