package io.podswitch.perf.bench.scenario;

import io.podswitch.cni.install.AotTraining;
import io.podswitch.cni.install.PluginJvm;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.cnistart.JacksonPlugin;
import io.podswitch.perf.bench.cnistart.JvmFloor;
import io.podswitch.perf.bench.cnistart.TimedCall;
import io.podswitch.perf.bench.side.PodNetwork;
import io.podswitch.perf.bench.side.PodNetworkSide;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.sides.CniInstallation;
import io.podswitch.perf.stats.Percentiles;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plugin's process start, which every pod start pays: VERSION (no daemon: the JVM and the
 * plugin's own code) and STATUS (one round trip with podswitchd: the client path — Unix socket, HTTP,
 * JSON), for the launcher {@code install-cni} installs against what it was chosen over, run
 * interleaved call by call so the machine's load hits all alike; wall and CPU time (user + system of
 * the process) per call, medians per repetition:
 * <ul>
 *   <li>{@code podswitch}: the installed launcher (one exec, the shipped flags, the AOT cache);</li>
 *   <li>{@code podswitch-c1}: the same with C1 ({@code -XX:TieredStopAtLevel=1}) instead of {@code -Xint};</li>
 *   <li>{@code podswitch-no-aot}: the shipped flags without the AOT cache (a fresh node before install-cni's training);</li>
 *   <li>{@code podswitch-provider-lookup}: without {@code -Djava.nio.channels.spi.SelectorProvider} (the first
 *       socket finds its provider with ServiceLoader), with its own AOT cache;</li>
 *   <li>{@code podswitch-relocated}: without {@code -XX:ArchiveRelocationMode=0} (the JVM relocates the AOT
 *       cache at every start, JDK 20+ default), with its own AOT cache;</li>
 *   <li>{@code podswitch-checkout}: {@code bin/podswitch-cni} of the checkout (bash, JDK search, no cache);</li>
 *   <li>{@code podswitch-jackson}: Jackson parsing and writing the plugin's JSON ({@link JacksonPlugin}), with its own AOT cache;</li>
 *   <li>{@code host-local}: the reference Go plugin (VERSION only), the floor a static binary sets;</li>
 *   <li>{@code jvm-floor}: the floor a JVM sets, with the plugin's exact flags and an AOT cache of its own
 *       ({@link JvmFloor}): VERSION = start and halt doing nothing, STATUS = the bare round trip with
 *       podswitchd (the JDK's Unix-domain socket, fixed request bytes, no JSON or HTTP code).</li>
 * </ul>
 */
public final class CniStartScenario implements Scenario {
    static final String NAME = "cni-start";
    static final Outcomes.Metric VERSION_WALL = Outcomes.Metric.lower("version_wall_p50", "ms");
    static final Outcomes.Metric VERSION_CPU = Outcomes.Metric.lower("version_cpu_p50", "ms");
    static final Outcomes.Metric STATUS_WALL = Outcomes.Metric.lower("status_wall_p50", "ms");
    static final Outcomes.Metric STATUS_CPU = Outcomes.Metric.lower("status_cpu_p50", "ms");
    static final List<Outcomes.Metric> METRICS = List.of(VERSION_WALL, VERSION_CPU, STATUS_WALL, STATUS_CPU);
    static final String PROVIDER_LOOKUP = "podswitch-provider-lookup";
    static final String RELOCATED = "podswitch-relocated";
    static final String JVM_FLOOR = "jvm-floor";
    static final List<String> SUBJECTS = List.of(Measurement.PODSWITCH, "podswitch-c1", "podswitch-no-aot",
            PROVIDER_LOOKUP, RELOCATED, "podswitch-checkout", "podswitch-jackson", "host-local", JVM_FLOOR);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "CNI plugin process start (VERSION, STATUS): the installed launcher vs C1, no AOT cache, the checkout "
                + "launcher, Jackson, and the Go host-local";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("host-local (CNI plugin)"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 1;
    }

    static int callsPerRepetition(ScenarioContext ctx) {
        return ctx.smoke() ? 1 : 20;
    }

    /** How to start one subject: its command, or why it cannot run here. */
    private record Subject(String name, List<String> argv, String unavailable) {
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) {
        Map<String, String> params = Outcomes.params("calls", Integer.toString(callsPerRepetition(ctx)));
        Optional<PodNetworkSide> side = ctx.sides().podNetwork();
        if (side.isEmpty()) {
            return notMeasured(params, Status.UNAVAILABLE, PodswitchSides.unboundReason(PodNetworkSide.class));
        }
        if (!ctx.isRoot()) {
            return notMeasured(params, Status.NEEDS_ROOT, "podswitchd needs root (TAP, netlink)");
        }
        try (PodNetwork node = side.get().start("IPv4", 8)) {
            CniInstallation installed = CniInstallation.shared();
            Path scratch = Files.createTempDirectory("podswitch-bench-cni-start-");
            try {
                List<Subject> subjects = subjects(ctx, installed, node, scratch);
                return measure(ctx, params, subjects, node);
            } finally {
                try (var files = Files.walk(scratch)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (SideUnavailableException e) {
            return notMeasured(params, Status.UNAVAILABLE, e.getMessage());
        } catch (Exception e) {
            return notMeasured(params, Status.FAILED, Outcomes.reason(e));
        }
    }

    private List<Subject> subjects(ScenarioContext ctx, CniInstallation installed, PodNetwork node, Path scratch)
            throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Subject> out = new ArrayList<>();
        out.add(new Subject(Measurement.PODSWITCH, List.of(installed.launcher().toString()), null));
        List<String> c1 = new ArrayList<>(PluginJvm.command(java, installed.aotCache(), installed.jar()));
        c1.set(c1.indexOf("-Xint"), "-XX:TieredStopAtLevel=1");
        out.add(new Subject("podswitch-c1", c1, null));
        out.add(new Subject("podswitch-no-aot", PluginJvm.command(java, null, installed.jar()), null));
        out.add(withoutFlags(PROVIDER_LOOKUP, java, installed, scratch, List.of("-Djava.nio.channels.spi.SelectorProvider=")));
        out.add(withoutFlags(RELOCATED, java, installed, scratch,
                List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=")));
        Optional<Path> checkout = checkoutLauncher();
        out.add(new Subject("podswitch-checkout", checkout.map(p -> List.of(p.toString())).orElse(null),
                checkout.isPresent() ? null : "bin/podswitch-cni of a checkout is not next to this bench's jars"));
        out.add(jackson(java, installed, node, scratch));
        Optional<Path> hostLocal = ctx.cniPlugin("host-local", "apt-get install -y containernetworking-plugins");
        out.add(new Subject("host-local", hostLocal.map(p -> List.of(p.toString())).orElse(null),
                hostLocal.isPresent() ? null : "the reference CNI plugins are not installed"));
        out.add(jvmFloor(java, node, scratch));
        return out;
    }

    /** {@link JvmFloor} with the plugin's flags and an AOT cache trained on its own round trip. */
    private static Subject jvmFloor(Path java, PodNetwork node, Path scratch) throws Exception {
        Path jar = codeSource(JvmFloor.class);
        if (jar == null || !jar.toString().endsWith(".jar")) {
            return new Subject(JVM_FLOOR, null, "an AOT cache needs jars: run it as bin/podswitch bench");
        }
        String socket = node.socketPath().toString();
        Path cache = scratch.resolve("jvm-floor.aot");
        List<String> train = new ArrayList<>(List.of(java.toString()));
        train.addAll(PluginJvm.flags());
        train.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-cp", jar.toString(), JvmFloor.class.getName(),
                "--train", socket));
        TimedCall t = TimedCall.run(train, Map.of(), "");
        if (t.exit() != 0 || !Files.isRegularFile(cache)) {
            throw new IOException("training the JVM floor's AOT cache failed (exit " + t.exit() + ")");
        }
        List<String> run = new ArrayList<>(List.of(java.toString()));
        run.addAll(PluginJvm.flags());
        run.addAll(List.of("-XX:AOTCache=" + cache, "-cp", jar.toString(), JvmFloor.class.getName(), socket));
        return new Subject(JVM_FLOOR, run, null);
    }

    /**
     * The installed jar with the shipped flags minus those starting with one of {@code dropped}, and an
     * AOT cache trained for exactly those flags (install-cni's training, {@code AotTraining}): what one
     * start-up flag is worth, measured interleaved with the shipped launcher.
     */
    private static Subject withoutFlags(String name, Path java, CniInstallation installed, Path scratch,
            List<String> dropped) throws IOException {
        List<String> flags = new ArrayList<>();
        for (String flag : PluginJvm.flags()) {
            if (dropped.stream().noneMatch(flag::startsWith)) {
                flags.add(flag);
            }
        }
        if (flags.size() == PluginJvm.flags().size()) {
            return new Subject(name, null, "the shipped flags no longer contain " + dropped);
        }
        Path cache = scratch.resolve(name + ".aot");
        List<String> train = new ArrayList<>(List.of(java.toString()));
        train.addAll(flags);
        train.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-cp", installed.jar().toString(),
                AotTraining.class.getName()));
        TimedCall t = TimedCall.run(train, Map.of(), "");
        if (t.exit() != 0 || !Files.isRegularFile(cache)) {
            throw new IOException("training the AOT cache of " + name + " failed (exit " + t.exit() + ")");
        }
        List<String> run = new ArrayList<>(List.of(java.toString()));
        run.addAll(flags);
        run.addAll(List.of("-XX:AOTCache=" + cache, "-cp", installed.jar().toString(), PluginJvm.MAIN_CLASS));
        return new Subject(name, run, null);
    }

    /** The Jackson variant, with an AOT cache trained for its own class path (it needs jars: bin/podswitch bench). */
    private static Subject jackson(Path java, CniInstallation installed, PodNetwork node, Path scratch) throws Exception {
        List<String> jars = new ArrayList<>(List.of(installed.jar().toString()));
        Path probe = codeSource(JacksonPlugin.class);
        if (probe == null || !probe.toString().endsWith(".jar")) {
            return new Subject("podswitch-jackson", null, "an AOT cache needs jars: run it as bin/podswitch bench");
        }
        jars.add(probe.toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (Path.of(entry).getFileName().toString().startsWith("jackson-")) {
                jars.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        String cp = String.join(File.pathSeparator, jars);
        Path cache = scratch.resolve("jackson.aot");
        List<String> train = new ArrayList<>(List.of(java.toString()));
        train.addAll(PluginJvm.flags());
        train.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-cp", cp, JacksonPlugin.class.getName(), "--train"));
        TimedCall t = TimedCall.run(train, Map.of(), statusConfig(node));
        if (t.exit() != 0 || !Files.isRegularFile(cache)) {
            throw new IOException("training the Jackson variant's AOT cache failed (exit " + t.exit() + ")");
        }
        List<String> run = new ArrayList<>(List.of(java.toString()));
        run.addAll(PluginJvm.flags());
        run.addAll(List.of("-XX:AOTCache=" + cache, "-cp", cp, JacksonPlugin.class.getName()));
        return new Subject("podswitch-jackson", run, null);
    }

    private static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** bin/podswitch-cni of the checkout the plugin jar was built in, if the jar sits in one. */
    private static Optional<Path> checkoutLauncher() {
        Path jar = codeSource(PluginJvm.class);
        for (Path dir = jar; dir != null; dir = dir.getParent()) {
            Path launcher = dir.resolve("bin").resolve("podswitch-cni");
            if (Files.isExecutable(launcher) && Files.isRegularFile(dir.resolve("bin/lib/jdk.sh"))) {
                return Optional.of(launcher);
            }
        }
        return Optional.empty();
    }

    /** STATUS needs cniVersion 1.1.0 (a runtime on libcni ≥ 1.2 sends it). */
    private static String statusConfig(PodNetwork node) throws IOException {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"podswitch\",\"type\":\"podswitch-cni\",\"socket\":\""
                + node.socketPath() + "\"}";
    }

    private List<Measurement> measure(ScenarioContext ctx, Map<String, String> params, List<Subject> subjects,
            PodNetwork node) throws Exception {
        int calls = callsPerRepetition(ctx);
        String status = statusConfig(node);
        List<Subject> runnable = subjects.stream().filter(s -> s.argv() != null).toList();
        Samples samples = ctx.measure(calls + " calls per command and subject, interleaved", duration -> {
            Map<String, List<Double>> v = new LinkedHashMap<>();
            for (int i = 0; i < calls; i++) {
                for (Subject s : runnable) {
                    TimedCall version = TimedCall.run(s.argv(), Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
                    check(s, "VERSION", version);
                    add(v, s.name(), VERSION_WALL, version.wallMillis());
                    add(v, s.name(), VERSION_CPU, version.cpuMillis());
                    if (!s.name().equals("host-local")) {
                        TimedCall st = TimedCall.run(s.argv(), Map.of("CNI_COMMAND", "STATUS"), status);
                        check(s, "STATUS", st);
                        add(v, s.name(), STATUS_WALL, st.wallMillis());
                        add(v, s.name(), STATUS_CPU, st.cpuMillis());
                    }
                }
            }
            Map<String, Double> medians = new LinkedHashMap<>();
            v.forEach((k, list) -> medians.put(k, Percentiles.of(list.stream().mapToDouble(Double::doubleValue).toArray(), 50)));
            return medians;
        });
        List<Measurement> out = new ArrayList<>();
        for (Subject s : subjects) {
            Outcomes o = new Outcomes(NAME, s.name());
            for (Outcomes.Metric m : METRICS) {
                String key = s.name() + "/" + m.name();
                if (s.argv() == null) {
                    out.add(o.not(m, params, Status.UNAVAILABLE, s.unavailable()));
                } else if (!samples.has(key)) {
                    out.add(o.not(m, params, Status.UNAVAILABLE, "a Go plugin has no STATUS in CNI 1.0 (VERSION only)"));
                } else {
                    out.add(o.ok(m, params, samples.get(key), "median of " + calls + " calls per repetition, "
                            + "subjects interleaved call by call; CPU = user + system of the plugin process"));
                }
            }
        }
        return out;
    }

    private static void add(Map<String, List<Double>> v, String subject, Outcomes.Metric m, double value) {
        v.computeIfAbsent(subject + "/" + m.name(), k -> new ArrayList<>()).add(value);
    }

    private static void check(Subject s, String command, TimedCall call) throws IOException {
        if (call.exit() != 0) {
            throw new IOException(s.name() + " " + command + " exited " + call.exit() + ": " + call.stdout().strip());
        }
    }

    private static List<Measurement> notMeasured(Map<String, String> params, Status status, String reason) {
        List<Measurement> out = new ArrayList<>();
        for (String subject : SUBJECTS) {
            out.addAll(new Outcomes(NAME, subject).not(METRICS, params, status, reason));
        }
        return out;
    }
}
