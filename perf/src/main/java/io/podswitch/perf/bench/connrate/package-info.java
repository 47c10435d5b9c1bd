/**
 * Short-connection load for the service scenario, as small Java mains that the scenario starts inside
 * pod namespaces ({@code ip netns exec POD java -cp ... MAIN}): {@link ShortConnectionServer} accepts,
 * answers with its backend id and closes; {@link ShortConnectionClient} opens many short TCP
 * connections in parallel (connect, send a few bytes, read the reply, close) and prints one line of
 * results ({@link ConnectionRateResult}): connections per second, connect+reply latency percentiles
 * (HdrHistogram) and how many replies came from each backend.
 */
package io.podswitch.perf.bench.connrate;
