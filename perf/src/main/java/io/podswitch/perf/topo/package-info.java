/**
 * Bench topologies built from network namespaces and veth pairs with {@code ip} (bench tooling,
 * not the daemon): unique names per run, and teardown guaranteed by close(), by a shutdown hook if
 * the JVM is stopped, and by deleting the namespaces (which takes their links with them).
 */
package io.podswitch.perf.topo;
