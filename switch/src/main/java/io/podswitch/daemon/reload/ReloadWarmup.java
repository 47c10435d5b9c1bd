package io.podswitch.daemon.reload;

import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cli.NetworkPolicyWriter;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.ContainerPort;
import io.podswitch.config.model.policy.LabelRequirement;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.NetworkPolicyConfig;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.policy.PolicyCompiler;
import io.podswitch.nativeio.Sched;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reload path's pure work (the cluster file parsed, read and validated; configurations compared; a policy
 * section compiled) up to a thousand times when podswitchd starts, on a thread of its own, so that the JIT has
 * compiled it when a reload comes. Reloads are rare: without this the first ones run the YAML parser, the reader and
 * the policy compiler interpreted — at 10 policy rules a reload took 6–10 ms against ~1 ms warm, and a policy change
 * must be in force faster than iptables-restore, which is native code from its first instruction (issue 13). The
 * parser's outer code reaches C2 only after about a thousand parses (in-process, 10-rule reloads: cold 6.4 ms, after
 * 160 rounds 2.9 ms, after ~1,500 rounds 1.7 ms), hence the round count; it costs a few seconds of one core once.
 *
 * <p>Two inputs: the file the daemon started with (its exact shape, however large) and a built-in cluster file
 * with a {@code networkPolicy:} section that uses every kind of peer, port and selector, because the running file
 * may have no policies yet and the first one would otherwise meet a cold reader and compiler. Nothing here is
 * published or kept: parse results and compiled tables are dropped. Bounded by {@link #ROUNDS}, {@link #BUDGET_MS} of
 * its own CPU time, {@link #BUDGET_BYTES} (a large file parses for hundreds of milliseconds cold) and
 * {@link #WALL_CAP_MS}; a failure only ends the warm-up, and {@link #close} (the daemon stopping) ends it after the round
 * under way. The budget is CPU time, not wall time: at nice 19 on a loaded node (issue 13's benchmark, load 9–12) six
 * seconds of wall time gave it 54 rounds, and the first large reloads then ran with the JIT still compiling the parser
 * and the compiler beside them; counted in its own CPU it gets its rounds from idle CPU, later.
 */
public final class ReloadWarmup implements AutoCloseable {
    static final int ROUNDS = 1_000;
    /** The warm-up thread's own CPU time. */
    static final long BUDGET_MS = 6_000;
    /** Wall time at most: on a node that is never idle the warm-up gives up rather than linger. */
    static final long WALL_CAP_MS = 120_000;
    /** Bytes of YAML parsed, in all: a large running file is hot after a few rounds (its volume), a small one not. */
    static final long BUDGET_BYTES = 32L << 20;
    private static final String SAMPLE_NAME = "(reload warm-up sample)";
    private static final int SAMPLE_PODS = 9;
    private static final int SAMPLE_RULES = 10;

    private final Path file;
    private final Map<String, String> env;
    private final ClusterConfig running;
    private final String sample;
    private final NetworkPolicyConfig sampleSection;
    private final PolicyCompiler.Node node;
    private volatile boolean stopped;
    /** Rounds whose file loaded equal to the running configuration (the tests' view that the file was the one). */
    int sameAsRunning;

    /** What one warm-up did: rounds, wall time, its thread's CPU time. */
    public record Done(int rounds, long nanos, long cpuNanos) {
    }

    /**
     * @param running the configuration the daemon loaded from {@code file}
     * @param node    this node for the policy compiler (its pod CIDRs give the sample's local pods addresses); null:
     *                no policy manager runs, nothing is compiled
     */
    ReloadWarmup(Path file, Map<String, String> env, ClusterConfig running, PolicyCompiler.Node node) {
        this.file = file;
        this.env = Map.copyOf(env);
        this.running = running;
        this.node = node;
        this.sampleSection = sampleSection();
        this.sample = ConfigLoader.exampleText() + NetworkPolicyWriter.yaml(sampleSection);
    }

    /**
     * Starts the warm-up of {@code file} (read again on the warm-up thread) on a daemon thread; it logs one line
     * when it is done. {@link #close} ends it after the round under way (a daemon stopping soon after it started).
     */
    public static ReloadWarmup start(Path file, Map<String, String> env, ClusterConfig running, PolicyCompiler.Node node) {
        ReloadWarmup warmup = new ReloadWarmup(file, env, running, node);
        Thread.ofPlatform().name("podswitch-reload-warmup").daemon().start(() -> {
            yieldToEverythingElse();
            try {
                Done done = warmup.run(ConfigLoader.read(file), ROUNDS, BUDGET_MS, WALL_CAP_MS);
                DaemonLog.info("reload path warmed: " + done.rounds() + " rounds in "
                        + TimeUnit.NANOSECONDS.toMillis(done.nanos()) + " ms (" + TimeUnit.NANOSECONDS.toMillis(done.cpuNanos())
                        + " ms of its CPU)");
            } catch (RuntimeException | ConfigException e) {
                DaemonLog.warn("reload warm-up stopped (reloads work; only the first ones run slower)", e);
            }
        });
        return warmup;
    }

    /**
     * The warm-up is a nicety that may take seconds of a core at start; the workers, the control thread and, on a
     * node just booting, the pods starting beside it come first. Nice 19 leaves it only idle CPU (the JIT's compiler
     * threads that compile what it runs keep their normal priority).
     */
    private static void yieldToEverythingElse() {
        try {
            Sched.setCurrentThreadNice(Sched.NICEST);
        } catch (RuntimeException e) {
            DaemonLog.warn("reload warm-up runs at normal priority", e);
        }
    }

    @Override
    public void close() {
        stopped = true;
    }

    /** As {@link #run(byte[], int, long, long)} with {@link #WALL_CAP_MS}. */
    Done run(byte[] bytes, int rounds, long cpuBudgetMs) throws ConfigException {
        return run(bytes, rounds, cpuBudgetMs, WALL_CAP_MS);
    }

    /**
     * Up to {@code rounds} rounds, stopping after the round that passes {@code cpuBudgetMs} of this thread's CPU time
     * (wall time where the JVM cannot tell thread CPU time), {@code wallCapMs} or {@link #BUDGET_BYTES}.
     */
    Done run(byte[] bytes, int rounds, long cpuBudgetMs, long wallCapMs) throws ConfigException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpu = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        long start = System.nanoTime();
        long cpuStart = cpu ? threads.getCurrentThreadCpuTime() : start;
        long wallDeadline = start + TimeUnit.MILLISECONDS.toNanos(wallCapMs);
        long budget = TimeUnit.MILLISECONDS.toNanos(cpuBudgetMs);
        int done = 0;
        long parsed = 0;
        long spent = 0;
        while (done < rounds && !stopped) {
            round(bytes, done);
            done++;
            parsed += bytes.length + sample.length();
            spent = (cpu ? threads.getCurrentThreadCpuTime() : System.nanoTime()) - cpuStart;
            if (spent >= budget || System.nanoTime() - wallDeadline >= 0 || parsed >= BUDGET_BYTES) {
                break;
            }
        }
        return new Done(done, System.nanoTime() - start, spent);
    }

    private void round(byte[] bytes, int round) throws ConfigException {
        // Compared as a reload compares (the file may have changed since the start: then it differs, which is fine).
        if (ConfigLoader.load(file, bytes, env).equals(running)) {
            sameAsRunning++;
        }
        ClusterConfig sampled = ConfigLoader.parse(sample, SAMPLE_NAME, Map.of());
        NetworkPolicyConfig section = sampled.networkPolicy();
        if (!section.equals(sampleSection)) {
            throw new IllegalStateException("the warm-up sample did not load back to its own section");
        }
        Map<NamespacedName, Integer> ids = new HashMap<>();
        for (NetworkPolicy p : section.policies()) {
            ids.put(p.id(), ids.size() + 1);
        }
        if (node == null) {
            return;
        }
        PolicyCompiler.compile(round + 1, section.namespaces(), withLocalAddresses(section.pods()), section.policies(),
                node, ids);
    }

    /** The sample's pods with addresses in this node's pod CIDRs, so the compiler builds their tables. */
    List<PodInfo> withLocalAddresses(List<PodInfo> pods) {
        if (node.podCidrs().isEmpty()) {
            return pods;
        }
        Cidr cidr = node.podCidrs().get(0);
        int hostLength = cidr.family().bits();
        long count = cidr.subnetCount(hostLength);
        List<PodInfo> out = new ArrayList<>(pods.size());
        for (int i = 0; i < pods.size(); i++) {
            PodInfo p = pods.get(i);
            List<IpAddress> ips = i + 10 < count ? List.of(cidr.subnet(hostLength, i + 10).network()) : List.of();
            out.add(new PodInfo(p.id(), p.labels(), ips, p.nodeName(), p.hostNetwork(), p.ports()));
        }
        return out;
    }

    /**
     * A section with three namespaces, {@value #SAMPLE_PODS} pods and two policies of {@value #SAMPLE_RULES} rules
     * each (ingress and egress) that cycle through every peer kind (ipBlock with and without except, pod selector,
     * namespace selector, both; matchLabels and each matchExpressions operator) and every port form.
     */
    static NetworkPolicyConfig sampleSection() {
        List<NamespaceInfo> namespaces = new ArrayList<>();
        for (String name : List.of("shop", "db", "ops")) {
            namespaces.add(NamespaceInfo.of(name, Map.of("team", name, "env", "prod")));
        }
        List<PodInfo> pods = new ArrayList<>();
        for (int i = 0; i < SAMPLE_PODS; i++) {
            pods.add(new PodInfo(new NamespacedName(namespaces.get(i % 3).name(), "pod-" + i),
                    Map.of("app", "app" + i % 4, "tier", i % 2 == 0 ? "web" : "api"), List.of(), "", false,
                    List.of(new ContainerPort("http", Protocol.TCP, 8080))));
        }
        List<NetworkPolicy> policies = List.of(
                NetworkPolicy.of(new NamespacedName("shop", "ingress"), LabelSelector.of(Map.of("tier", "web")), true,
                        true, false, rules(0), List.of()),
                NetworkPolicy.of(new NamespacedName("db", "egress"), new LabelSelector(Map.of(), List.of(
                        new LabelRequirement("app", LabelRequirement.Operator.IN, List.of("app1", "app2")))), true,
                        false, true, List.of(), rules(1)));
        return new NetworkPolicyConfig(namespaces, pods, policies);
    }

    private static List<PolicyRule> rules(int salt) {
        List<PolicyRule> rules = new ArrayList<>();
        for (int i = 0; i < SAMPLE_RULES; i++) {
            PolicyPeer peer = switch ((i + salt) % 5) {
                case 0 -> new PolicyPeer.IpBlock(Cidr.parse("172.16." + i + ".0/24"), List.of());
                case 1 -> new PolicyPeer.IpBlock(Cidr.parse("172.17." + i + ".0/24"),
                        List.of(Cidr.parse("172.17." + i + ".128/25")));
                case 2 -> new PolicyPeer.Pods(null, LabelSelector.of(Map.of("app", "app" + i % 4)));
                case 3 -> new PolicyPeer.Pods(LabelSelector.of(Map.of("team", "ops")), new LabelSelector(Map.of(),
                        List.of(new LabelRequirement("tier", LabelRequirement.Operator.NOT_IN, List.of("api")),
                                new LabelRequirement("app", LabelRequirement.Operator.EXISTS, List.of()))));
                default -> new PolicyPeer.Pods(new LabelSelector(Map.of(), List.of(new LabelRequirement("env",
                        LabelRequirement.Operator.DOES_NOT_EXIST, List.of()))), null);
            };
            PolicyPort port = switch (i % 4) {
                case 0 -> PolicyPort.number(Protocol.TCP, 8000 + i);
                case 1 -> PolicyPort.range(Protocol.UDP, 9000 + i, 9100 + i);
                case 2 -> PolicyPort.named(Protocol.TCP, "http");
                default -> PolicyPort.all(Protocol.SCTP);
            };
            rules.add(new PolicyRule(List.of(peer), List.of(port, PolicyPort.number(Protocol.TCP, 443))));
        }
        return rules;
    }
}
