package io.podswitch.perf.churn;

import java.util.List;

/**
 * What a soak does.
 *
 * @param cycles           pod lifecycles (ADD, traffic, DEL) in total
 * @param workers          lifecycles run in parallel (a runtime's parallel pod starts)
 * @param daemonKillCycles cycle numbers at which podswitchd is killed (SIGKILL) during a plugin call
 * @param pluginKillEvery  every N-th plugin call is killed mid-call (0: never)
 * @param drainEvery       every N cycles all pods are deleted and the daemon is checked at rest (0: only at the end)
 * @param maxHoldMillis    a live pod is held up to this long (random) before its DEL, while traffic runs
 * @param seed             seed of every random choice (kill delays, hold times, traffic pairs)
 */
public record ChurnSettings(int cycles, int workers, List<Integer> daemonKillCycles, int pluginKillEvery,
        int drainEvery, int maxHoldMillis, long seed) {

    public ChurnSettings {
        if (cycles < 1 || workers < 1 || pluginKillEvery < 0 || drainEvery < 0 || maxHoldMillis < 0) {
            throw new IllegalArgumentException("invalid churn settings");
        }
        daemonKillCycles = List.copyOf(daemonKillCycles);
    }
}
