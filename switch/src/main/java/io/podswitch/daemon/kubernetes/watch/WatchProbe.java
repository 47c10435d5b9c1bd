package io.podswitch.daemon.kubernetes.watch;

import java.util.List;
import java.util.OptionalLong;

/**
 * What the API server says about one resource, asked by the {@link WatchWatchdog} about a quiet informer. Each call
 * blocks (at most the client's request timeout, plus a moment for {@link #since}) and throws when the API server
 * does not answer.
 */
public interface WatchProbe {
    /** How many objects the API server holds (a {@code limit=1} list: the item and {@code remainingItemCount}); empty when it does not say. */
    OptionalLong held();

    /**
     * What a watch from {@code resourceVersion} — the informer's — shows within a moment: what happened to the
     * resource since that version (a kube-apiserver replays it from its watch cache), or that the version is gone
     * (410). An informer whose watch works has received all of it already.
     */
    Since since(String resourceVersion);

    /**
     * @param gone    the API server answered 410 Gone: it no longer serves a watch from that version (it has
     *                moved on: a working watch would have followed it, or re-listed)
     * @param changes the states of objects the watch carried, in order
     */
    record Since(boolean gone, List<Change> changes) {
        public static final Since NOTHING = new Since(false, List.of());
    }

    /**
     * One object's state as a watch event carried it.
     *
     * @param key             its cache key ({@link ResourceWatch#keyOf})
     * @param resourceVersion its resourceVersion; null when the event deleted it
     */
    record Change(String key, String resourceVersion) {
    }
}
