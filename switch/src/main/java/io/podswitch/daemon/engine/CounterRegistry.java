package io.podswitch.daemon.engine;

import io.podswitch.stats.CounterSource;

/** Where counter sources that come and go (pod ports) are announced for the stats file. Control thread only. */
public interface CounterRegistry {
    void register(CounterSource source);

    void unregister(CounterSource source);

    /** A registry that publishes nothing (tests, tools). */
    CounterRegistry NONE = new CounterRegistry() {
        @Override
        public void register(CounterSource source) {
        }

        @Override
        public void unregister(CounterSource source) {
        }
    };
}
