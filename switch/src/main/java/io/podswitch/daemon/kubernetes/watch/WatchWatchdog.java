package io.podswitch.daemon.kubernetes.watch;

import io.podswitch.daemon.DaemonLog;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Restarts an informer whose view stopped following the API server although the server answers — a node whose
 * view of the cluster silently stops updating is a security bug when that view is NetworkPolicy.
 *
 * <p>Why it is needed: fabric8's informer reconnects a broken watch inside its watch manager, forever, from the
 * last resourceVersion, and only that manager sees the failures (the informer's exception handler is not
 * called). When a watch's very first WebSocket handshake fails with a transport error (the API server or a
 * proxy dropped or stalled the connection just then — an outage that begins while an informer is re-listing),
 * fabric8 falls back to a plain HTTP watch for good, and when that watch is answered with an error every time (a
 * proxy that does not stream, an API server that serves watches only over WebSocket, as the test API server),
 * the manager retries it forever without listing again: the informer's cache never changes again (issue 12: the
 * networkpolicies informer stuck after an outage, {@code watching=false failures=0}; also seen stuck with
 * {@code watching=true}, its watch never delivering the changes made meanwhile).
 *
 * <p>What it does, every {@link #check} (the source runs one a second per watch, on its own thread): a watch that
 * has listed and has delivered nothing (no event, no list) for {@link #stuckAfter} is probed — a list of one
 * object of its resource ({@code limit=1}), which also tells how many objects the API server holds
 * ({@code remainingItemCount} + 1): every {@code probeEvery} while it is not watching, every {@code verifyEvery}
 * while it is. The watch is suspect when it is not watching, or when the API server's count differs from its
 * cache's (then it is probed every {@code probeEvery} too). Suspect and answered for {@link #stuckAfter} in a row, it
 * is {@link ResourceWatch#restart}ed: a new informer, a fresh list. {@link #stuckAfter} is longer than fabric8's
 * longest reconnect backoff (32 × the watch reconnect interval), so a watch that would come back by itself has had
 * its chance; a probe that fails (the API server is really away) or a watch that delivers anything resets the
 * clock, and the informers' own retries go on meanwhile. A resource that changes all the time never gets here
 * (its events keep coming); an idle one costs one small list per {@code verifyEvery}.
 */
public final class WatchWatchdog {
    private final Duration stuckAfter;
    private final Duration probeEvery;
    private final Duration verifyEvery;
    private final Map<ResourceWatch<?>, State> states = new ConcurrentHashMap<>();

    /** Per watch: since when the API server has answered its probes while the watch was suspect (0: not). */
    private static final class State {
        long suspectSinceMillis;
        long probedAtMillis;
        boolean watchingAtLastCheck;
    }

    /**
     * @param stuckAfter  how long a watch must be quiet, and then suspect while the API server answers, before a
     *                    restart
     * @param probeEvery  how often a quiet watch that is not watching (or whose count differed) is probed
     * @param verifyEvery how often a quiet, established watch's count is checked against the API server's
     */
    public WatchWatchdog(Duration stuckAfter, Duration probeEvery, Duration verifyEvery) {
        this.stuckAfter = stuckAfter;
        this.probeEvery = probeEvery;
        this.verifyEvery = verifyEvery;
    }

    /**
     * For fabric8's watch reconnect interval (1 s by default): stuck after 32 × it (its longest backoff) + 3 s;
     * a watch that is down probed every 5 s; an established, quiet one's count checked every 15 minutes (the
     * resync period: 5,000 nodes × 6 resources make ~33 {@code limit=1} lists a second cluster-wide).
     */
    public static WatchWatchdog forReconnectInterval(Duration reconnectInterval) {
        return new WatchWatchdog(reconnectInterval.multipliedBy(32).plusSeconds(3), Duration.ofSeconds(5),
                Duration.ofMinutes(15));
    }

    public Duration stuckAfter() {
        return stuckAfter;
    }

    /**
     * Checks {@code watch} (blocking for the probe, when one is due): restarts it when it is stuck. Called about
     * once a second per watch.
     *
     * @param probe lists one object of the watch's resource and returns how many the API server holds (empty when
     *              it does not say); throws when the API server does not answer
     * @return true when it restarted the watch
     */
    public boolean check(ResourceWatch<?> watch, Supplier<OptionalLong> probe) {
        State state = states.computeIfAbsent(watch, w -> new State());
        long now = System.currentTimeMillis();
        boolean watching = watch.watching();
        // A watch retried against an API server that answers it with an error is "established" for the
        // milliseconds between the response and its handling: only two checks in a row count.
        boolean established = watching && state.watchingAtLastCheck;
        state.watchingAtLastCheck = watching;
        if (!watch.synced() || now - watch.lastEventMillis() < stuckAfter.toMillis()) {
            state.suspectSinceMillis = 0;
            return false;
        }
        Duration period = !established || state.suspectSinceMillis != 0 ? probeEvery : verifyEvery;
        if (now - state.probedAtMillis < period.toMillis()) {
            return false;
        }
        state.probedAtMillis = now;
        OptionalLong held;
        try {
            held = probe.get();
        } catch (RuntimeException e) {
            state.suspectSinceMillis = 0; // the API server is away: the informer's own retries go on
            return false;
        }
        long cached = watch.size();
        boolean differs = held.isPresent() && held.getAsLong() != cached;
        if (established && !differs) {
            state.suspectSinceMillis = 0;
            return false;
        }
        String why = !established ? "no watch" : "the API server holds " + held.getAsLong() + ", the cache " + cached;
        if (state.suspectSinceMillis == 0) {
            state.suspectSinceMillis = now;
            DaemonLog.info("kubernetes: " + watch.resource() + ": " + why + " and nothing delivered for "
                    + (now - watch.lastEventMillis()) / 1000 + " s while the API server answers; restarting the "
                    + "informer if this lasts " + stuckAfter.toSeconds() + " s");
        }
        if (now - state.suspectSinceMillis < stuckAfter.toMillis()) {
            return false;
        }
        state.suspectSinceMillis = 0;
        watch.restart(why + ", nothing delivered for " + (now - watch.lastEventMillis()) / 1000
                + " s, the API server answering");
        return true;
    }
}
