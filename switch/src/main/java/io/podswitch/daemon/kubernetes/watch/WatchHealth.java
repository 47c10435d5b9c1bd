package io.podswitch.daemon.kubernetes.watch;

/**
 * One informer's state, for {@code podswitch status} and readiness.
 *
 * @param resource        e.g. "nodes", "services", "endpointslices"
 * @param synced          listed at least once since start
 * @param watching        a watch is established now
 * @param items           objects in the cache
 * @param resourceVersion the last resourceVersion seen ("" before the first list)
 * @param lists           lists so far (1 at start; each further one is a relist: 410 Gone, a broken watch)
 * @param failures        list or watch attempts that failed (each retried with backoff)
 * @param restarts        times the informer was replaced by a new one because its watch stayed down while the
 *                        API server answered ({@link WatchWatchdog})
 * @param staleMillis     0 while watching; else how long since the watch was last seen established
 *                        (or since start): how old the view may be
 * @param lastEventMillis when the informer last delivered an event or a list (epoch ms; the start before any)
 * @param lastError       the last list/watch failure ("" if none since the last successful watch)
 */
public record WatchHealth(String resource, boolean synced, boolean watching, int items, String resourceVersion,
                          long lists, long failures, long restarts, long staleMillis, long lastEventMillis, String lastError) {
}
