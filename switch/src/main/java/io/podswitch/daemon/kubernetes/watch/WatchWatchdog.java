package io.podswitch.daemon.kubernetes.watch;

import io.podswitch.daemon.DaemonLog;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Restarts an informer whose view stopped following the API server although the server answers — a node whose
 * view of the cluster silently stops updating is a security bug when that view is NetworkPolicy.
 *
 * <p>Why it is needed: fabric8's informer reconnects a broken watch inside its watch manager, forever, from the
 * last resourceVersion, and only that manager sees the failures (the informer's exception handler is not
 * called). Two ways a watch stops following while the API server answers:
 * <ul>
 *   <li><b>down for good</b>: when a watch's very first WebSocket handshake fails with a transport error (the API
 *       server or a proxy dropped or stalled the connection just then — an outage that begins while an informer is
 *       re-listing), fabric8 falls back to a plain HTTP watch for good, and when that watch is answered with an
 *       error every time (a proxy that does not stream, an API server that serves watches only over WebSocket, as
 *       the test API server), the manager retries it forever without listing again (issue 12: the networkpolicies
 *       informer stuck after an outage, {@code watching=false failures=0});</li>
 *   <li><b>established but carrying nothing</b>: the watch reconnected after an outage and reports
 *       {@code watching=true}, but nothing comes through it — not the changes made meanwhile, not the 410 that
 *       would make the informer list again — so it stays at the resourceVersion of before the outage (a stream
 *       that a proxy, a load balancer or a NAT lost on one side while the other stays open; the test API server's
 *       event loop stalled while the watch opened). fabric8 only closes a watch after 5–10 minutes, and that close
 *       waits up to 2 more minutes for an answer that a lost stream does not give.</li>
 * </ul>
 *
 * <p>What it does, every {@link #check} (the source runs one a second per watch, on its own thread): a quiet watch
 * (nothing delivered: no event, no list) is probed ({@link WatchProbe}) — a {@code limit=1} list, which tells how many
 * objects the API server holds, and, while the watch is established, a watch of its own from the informer's
 * resourceVersion, which shows what happened since that version (or 410 Gone when the server has moved past it):
 * <ul>
 *   <li>not watching, quiet for {@link #stuckAfter}: probed every {@code probeEvery}; suspect while the API server
 *       answers; suspect for {@link #stuckAfter} in a row → restarted ({@link #stuckAfter} is longer than fabric8's
 *       longest reconnect backoff, 32 × the watch reconnect interval: a watch that would come back by itself has
 *       had its chance);</li>
 *   <li>established again after it was seen down (an outage), with nothing delivered since: probed once it has been
 *       quiet for {@code probeEvery}, every {@code probeEvery} until a probe finds it current — a watch that came
 *       back empty-handed is verified within seconds, not after 15 minutes;</li>
 *   <li>established otherwise, quiet for {@link #stuckAfter}: probed every {@code verifyEvery}.</li>
 * </ul>
 * An established watch is suspect when the API server holds another number of objects than its cache, or a watch
 * from its resourceVersion answers 410 or carries a state its cache does not hold (a working watch has delivered all
 * of that already); suspect at two probes in a row ({@code probeEvery} apart) with nothing delivered in between, it
 * is {@link ResourceWatch#restart}ed: a new informer, a fresh list. A probe that fails (the API server is really
 * away) or a watch that delivers anything resets the clock, and the informers' own retries go on meanwhile. A
 * resource that changes all the time never gets here (its events keep coming); an idle one costs one small list and
 * one watch held for a moment per {@code verifyEvery}, plus one of each after an outage.
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
        /** When it was last seen not watching, while nothing has been delivered since and no probe found it current (0: not). */
        long downAtMillis;
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
     * @param probe asks the API server about the watch's resource; throws when the API server does not answer
     * @return true when it restarted the watch
     */
    public boolean check(ResourceWatch<?> watch, WatchProbe probe) {
        State state = states.computeIfAbsent(watch, w -> new State());
        long now = System.currentTimeMillis();
        boolean watching = watch.watching();
        // A watch retried against an API server that answers it with an error is "established" for the
        // milliseconds between the response and its handling: only two checks in a row count.
        boolean established = watching && state.watchingAtLastCheck;
        state.watchingAtLastCheck = watching;
        long lastEvent = watch.lastEventMillis();
        if (!watching && watch.synced()) {
            state.downAtMillis = now;
        } else if (lastEvent > state.downAtMillis) {
            state.downAtMillis = 0; // it delivered since it came back: that watch carries what the server sends
        }
        if (watching && !established) {
            return false; // watching since this check only: the next one tells
        }
        boolean cameBack = established && state.downAtMillis != 0;
        long quietEnough = cameBack ? probeEvery.toMillis() : stuckAfter.toMillis();
        if (!watch.synced() || now - lastEvent < quietEnough
                || (state.suspectSinceMillis != 0 && lastEvent >= state.suspectSinceMillis)) {
            state.suspectSinceMillis = 0;
            return false;
        }
        Duration period = !established || cameBack || state.suspectSinceMillis != 0 ? probeEvery : verifyEvery;
        if (now - state.probedAtMillis < period.toMillis()) {
            return false;
        }
        state.probedAtMillis = now;
        String why;
        try {
            why = established ? behind(watch, probe) : down(probe);
        } catch (RuntimeException e) {
            state.suspectSinceMillis = 0; // the API server is away: the informer's own retries go on
            return false;
        }
        if (why == null) {
            state.suspectSinceMillis = 0;
            state.downAtMillis = 0; // found current
            return false;
        }
        if (state.suspectSinceMillis == 0) {
            state.suspectSinceMillis = now;
            DaemonLog.info("kubernetes: " + watch.resource() + ": " + why + " and nothing delivered for "
                    + (now - lastEvent) / 1000 + " s while the API server answers; restarting the informer if "
                    + (established ? "the next probe finds the same" : "this lasts " + stuckAfter.toSeconds() + " s"));
            return false;
        }
        if (!established && now - state.suspectSinceMillis < stuckAfter.toMillis()) {
            return false;
        }
        state.suspectSinceMillis = 0;
        state.downAtMillis = 0;
        watch.restart(why + ", nothing delivered for " + (now - lastEvent) / 1000 + " s, the API server answering");
        return true;
    }

    /** Why a watch that is down is suspect: the API server answers (the probe throws when it does not). */
    private static String down(WatchProbe probe) {
        probe.held();
        return "no watch";
    }

    /**
     * Why an established watch is behind the API server, or null when it is current: another count than its cache,
     * or a watch from its resourceVersion that answers 410 or carries a state its cache does not hold.
     */
    private static String behind(ResourceWatch<?> watch, WatchProbe probe) {
        OptionalLong held = probe.held();
        long cached = watch.size();
        if (held.isPresent() && held.getAsLong() != cached) {
            return "the API server holds " + held.getAsLong() + ", the cache " + cached;
        }
        String version = watch.resourceVersion();
        WatchProbe.Since since = probe.since(version);
        if (since.gone()) {
            return "a watch from its resourceVersion " + version + " is answered 410 Gone (the API server has moved on)";
        }
        for (WatchProbe.Change change : since.changes()) {
            if (!watch.holds(change)) {
                return "a watch from its resourceVersion " + version + " carries " + change.key()
                        + (change.resourceVersion() == null ? " deleted" : " at " + change.resourceVersion())
                        + ", which the cache does not hold";
            }
        }
        return null;
    }
}
