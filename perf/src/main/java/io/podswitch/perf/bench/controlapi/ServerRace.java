package io.podswitch.perf.bench.controlapi;

import io.podswitch.perf.stats.Percentiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times one CNI call against several servers, interleaved so that the machine's load hits them alike: round
 * after round, every server gets one call, in an order that rotates each round (no server is always first
 * after the others' work), until the duration is over and every server has at least {@code minCalls}
 * calls. Returns per server the p50 and p99 of the round trip in microseconds, keyed
 * {@code <server>/<p50Metric>} and {@code <server>/<p99Metric>}.
 */
public final class ServerRace {

    /** One timed call to one server; {@code round} makes each call's pod unique. */
    @FunctionalInterface
    public interface Call {
        void run(int round) throws Exception;
    }

    private final Map<String, Call> servers;

    public ServerRace(Map<String, Call> servers) {
        this.servers = new LinkedHashMap<>(servers);
    }

    public Map<String, Double> run(Duration duration, int minCalls, String p50Metric, String p99Metric)
            throws Exception {
        List<String> names = new ArrayList<>(servers.keySet());
        Map<String, double[]> micros = new LinkedHashMap<>();
        for (String n : names) {
            micros.put(n, new double[64]);
        }
        long end = System.nanoTime() + duration.toNanos();
        int round = 0;
        while (round < minCalls || System.nanoTime() < end) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get((round + i) % names.size());
                long start = System.nanoTime();
                servers.get(name).run(round);
                double us = (System.nanoTime() - start) / 1e3;
                double[] v = micros.get(name);
                if (round == v.length) {
                    v = Arrays.copyOf(v, v.length * 2);
                    micros.put(name, v);
                }
                v[round] = us;
            }
            round++;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String n : names) {
            double[] v = Arrays.copyOf(micros.get(n), round);
            out.put(n + "/" + p50Metric, Percentiles.of(v, 50));
            out.put(n + "/" + p99Metric, Percentiles.of(v, 99));
        }
        out.put("calls_per_server", (double) round);
        return out;
    }
}
