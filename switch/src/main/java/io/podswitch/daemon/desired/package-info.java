/**
 * The desired state of the cluster as the data path must hold it, independent of where it came from.
 *
 * <p>Two sources feed it (shared/DESIGN.md, "Where the cluster comes from"): the cluster file
 * ({@code source: file}, reloaded on SIGHUP / file change / {@code podswitch reload}) and the Kubernetes
 * API server ({@code source: kubernetes}, informers on Nodes, Services, EndpointSlices, ...). Each source
 * translates its objects into the immutable records of this package; the managers ({@code daemon.peers},
 * {@code daemon.services}, later {@code daemon.policy}) apply the difference to the lock-free tables.
 * Nothing here knows about YAML or about fabric8: translation lives with each source.
 */
package io.podswitch.daemon.desired;
