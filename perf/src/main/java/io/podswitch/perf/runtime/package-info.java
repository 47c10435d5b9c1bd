/**
 * Container runtimes driven the way their users drive them, each confined to a temp dir so the
 * machine's own setup is never touched: {@link io.podswitch.perf.runtime.Podman} (podman 4, CNI
 * backend, runc) and {@link io.podswitch.perf.runtime.Containerd} (containerd + {@code ctr run
 * --cni}), with a registry-free busybox root file system. Used by the runtime tests and the
 * {@code podman-run} bench scenario.
 */
package io.podswitch.perf.runtime;
