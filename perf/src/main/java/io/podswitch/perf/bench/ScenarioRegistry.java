package io.podswitch.perf.bench;

import io.podswitch.perf.bench.scenario.AfXdpForwardScenario;
import io.podswitch.perf.bench.scenario.ChurnScenario;
import io.podswitch.perf.bench.scenario.CniScenario;
import io.podswitch.perf.bench.scenario.CniStartScenario;
import io.podswitch.perf.bench.scenario.EngineScenario;
import io.podswitch.perf.bench.scenario.MetricsScenario;
import io.podswitch.perf.bench.scenario.FibScenario;
import io.podswitch.perf.bench.scenario.LatencyScenario;
import io.podswitch.perf.bench.scenario.PodTcpScenario;
import io.podswitch.perf.bench.scenario.PodmanRunScenario;
import io.podswitch.perf.bench.scenario.ServiceScenario;
import io.podswitch.perf.bench.scenario.TapForwardScenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The scenarios {@code bench} knows: the built-in ones in a fixed order, then any registered with
 * {@link ServiceLoader} (so later features can add theirs without touching this class).
 */
public final class ScenarioRegistry {

    private final Map<String, Scenario> byName = new LinkedHashMap<>();

    public ScenarioRegistry(List<Scenario> scenarios) {
        for (Scenario s : scenarios) {
            if (byName.putIfAbsent(s.name(), s) != null) {
                throw new IllegalArgumentException("two scenarios are named '" + s.name() + "'");
            }
        }
    }

    public static ScenarioRegistry standard() {
        List<Scenario> all = new ArrayList<>(List.of(new EngineScenario(), new FibScenario(),
                new AfXdpForwardScenario(), new TapForwardScenario(), new PodTcpScenario(), new LatencyScenario(),
                new CniScenario(), new CniStartScenario(), new PodmanRunScenario(), new ChurnScenario(), new ServiceScenario(),
                new MetricsScenario()));
        ServiceLoader.load(Scenario.class).forEach(all::add);
        return new ScenarioRegistry(all);
    }

    public List<Scenario> all() {
        return List.copyOf(byName.values());
    }

    /** The named scenarios in the order given, or all when none are named. */
    public List<Scenario> select(List<String> names) throws UsageException {
        if (names.isEmpty()) {
            return all();
        }
        List<Scenario> chosen = new ArrayList<>();
        for (String n : names) {
            Scenario s = byName.get(n);
            if (s == null) {
                throw new UsageException("unknown scenario '" + n + "' (known: " + String.join(", ", byName.keySet())
                        + ")");
            }
            if (!chosen.contains(s)) {
                chosen.add(s);
            }
        }
        return chosen;
    }
}
