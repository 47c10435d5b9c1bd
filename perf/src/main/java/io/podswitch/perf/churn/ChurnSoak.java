package io.podswitch.perf.churn;

import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.json.NodeReader;
import io.podswitch.perf.bench.side.PodNetwork;
import io.podswitch.perf.runtime.Conflists;
import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * The churn soak against one podswitch node ({@link PodNetwork}: podswitchd as its own process, the
 * plugin as install-cni installed it). Workers act as a runtime: each cycle creates a pod netns, runs
 * the plugin's ADD, checks the pod reaches its gateway, holds it while traffic runs, then DELs it —
 * retrying DEL until it succeeds, after a failed ADD too, as kubelet/containerd do — and removes the
 * netns. Meanwhile a killer SIGKILLs podswitchd during plugin calls at the configured cycles and
 * starts it again, and every N-th plugin call is itself killed mid-call.
 *
 * <p>Invariants, each breach recorded as a violation:
 * <ul>
 *   <li>no address held twice: not among live pods, not in IPAM (checked every ADD and every ~2 s);</li>
 *   <li>no address leaked: nothing IPAM holds belongs to a container whose DEL had already succeeded
 *       (every ~2 s), and at every drain checkpoint IPAM holds only the node's own addresses;</li>
 *   <li>no TAP leaked: within {@link #TAP_GONE_WITHIN_NANOS} of DEL's answer the pod's netns has no
 *       {@code eth0} (podswitchd deletes it just after answering); the root netns gains no TAP;</li>
 *   <li>no netns leaked: none of the soak's namespaces is left at a drain;</li>
 *   <li>every pod whose ADD succeeded reaches its gateway — judged while one daemon process is up
 *       throughout the pings; a check a kill interrupts (or that would start while the daemon is down)
 *       is repeated against the restarted daemon, never skipped — pods reach each other while the
 *       daemon runs, and after a restart every live pod is re-attached with its addresses;</li>
 *   <li>no fd leaked and memory flat: the daemon's fd count at rest does not grow, nor its RSS beyond
 *       {@link #RSS_GROWTH_LIMIT_KIB}, across drain checkpoints of one daemon process;</li>
 *   <li>the plugin fails only as a dead daemon or a kill explains (error 11), never otherwise.</li>
 * </ul>
 */
public final class ChurnSoak {
    static final String NETWORK = "churn";
    static final int FD_GROWTH_LIMIT = 8;
    static final long RSS_GROWTH_LIMIT_KIB = 64 * 1024;
    /** How soon after DEL's answer the TAP must be gone (the kernel's removal takes ~20–30 ms here). */
    static final long TAP_GONE_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final long DEL_GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(120);
    /** How long a check waits for a killed daemon to be back (a restart is bounded at 30 s). */
    static final long RESTART_WAIT_NANOS = TimeUnit.SECONDS.toNanos(120);

    private final PodNetwork node;
    private final ChurnSettings settings;
    private final Consumer<String> progress;
    private final Path launcher;
    private final String runId;
    private final ObjectNode netconf;
    private final List<String> gateways = new ArrayList<>();

    private final AtomicInteger nextCycle = new AtomicInteger();
    private final AtomicInteger cyclesDone = new AtomicInteger();
    private final AtomicInteger pluginCalls = new AtomicInteger();
    private final AtomicInteger addsOk = new AtomicInteger();
    private final AtomicInteger addsFailed = new AtomicInteger();
    private final AtomicInteger delRetries = new AtomicInteger();
    private final AtomicInteger daemonKills = new AtomicInteger();
    private final AtomicLong pings = new AtomicLong();
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Map<String, Long> deletedAtNanos = new ConcurrentHashMap<>();
    private final Set<PluginCall> running = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> crashPhases = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> pluginKills = new ConcurrentHashMap<>();
    private final List<Double> addMillis = Collections.synchronizedList(new ArrayList<>());
    private final List<ChurnReport.Drain> drains = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    /** Cycles hold the read lock, a drain checkpoint the write lock: it starts once every cycle in flight is done. */
    private final ReentrantReadWriteLock rest = new ReentrantReadWriteLock(true);
    /** A daemon kill + restart and a drain's checks never overlap. */
    private final ReentrantLock killOrDrain = new ReentrantLock();
    private final ScheduledExecutorService pluginKiller = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("churn-plugin-killer").factory());
    private volatile int incarnation;
    private volatile boolean daemonUp = true;
    private volatile boolean finished;
    private int rootTaps;

    /** A pod as the runtime sees it. */
    private static final class Pod {
        final String id;
        final String netns;
        volatile List<String> addresses = List.of();
        volatile String result;
        volatile boolean up;

        Pod(String id, String netns) {
            this.id = id;
            this.netns = netns;
        }
    }

    public ChurnSoak(PodNetwork node, ChurnSettings settings, Consumer<String> progress) throws IOException {
        this.node = node;
        this.settings = settings;
        this.progress = progress;
        this.launcher = node.cniBinDir().resolve("podswitch-cni");
        this.runId = Long.toHexString(new SplittableRandom(settings.seed()).nextLong() & 0xfffL | 0x1000L);
        this.netconf = Conflists.pluginNetconf(node.conflist(NETWORK));
        for (boolean v6 : List.of(false, true)) {
            String gw = node.gateway(v6);
            if (gw != null) {
                gateways.add(gw);
            }
        }
    }

    public ChurnReport run() throws Exception {
        long start = System.nanoTime();
        rootTaps = rootNetnsTaps();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < settings.workers(); w++) {
            int worker = w;
            workers.add(Thread.ofPlatform().name("churn-worker-" + w).start(() -> workLoop(worker)));
        }
        Thread killer = Thread.ofPlatform().name("churn-daemon-killer").start(this::killLoop);
        Thread traffic = Thread.ofPlatform().name("churn-traffic").start(this::trafficLoop);
        for (Thread t : workers) {
            t.join();
        }
        finished = true;
        killer.interrupt();
        killer.join();
        traffic.join();
        pluginKiller.shutdownNow();
        drain();
        checkRestMetrics();
        Map<String, Integer> phases = new TreeMap<>();
        crashPhases.forEach((k, v) -> phases.put(k, v.get()));
        Map<String, Integer> kills = new TreeMap<>();
        pluginKills.forEach((k, v) -> kills.put(k, v.get()));
        return new ChurnReport(cyclesDone.get(), addsOk.get(), addsFailed.get(), delRetries.get(), daemonKills.get(),
                phases, kills, pings.get(), List.copyOf(addMillis), List.copyOf(drains), List.copyOf(violations),
                (System.nanoTime() - start) / 1e9);
    }

    // ---------------------------------------------------------------- the runtime

    private void workLoop(int worker) {
        SplittableRandom random = new SplittableRandom(settings.seed() + worker * 7919L);
        int n;
        while ((n = nextCycle.getAndIncrement()) < settings.cycles()) {
            rest.readLock().lock();
            try {
                cycle(n, random);
            } catch (Exception e) {
                violation("cycle " + n + " broke off: " + e);
            } finally {
                rest.readLock().unlock();
            }
            int done = cyclesDone.incrementAndGet();
            if (settings.drainEvery() > 0 && done % settings.drainEvery() == 0 && done < settings.cycles()) {
                drain();
            }
        }
    }

    private void cycle(int n, SplittableRandom random) throws Exception {
        Pod pod = new Pod("churn" + runId + "x" + n, "psc" + runId + "x" + n);
        Exec.run(List.of("ip", "netns", "add", pod.netns));
        Exec.run(List.of("ip", "-n", pod.netns, "link", "set", "lo", "up"));
        pods.put(pod.id, pod);
        PluginCall add = call("ADD", pod, netconf, random);
        if (add.succeeded()) {
            addsOk.incrementAndGet();
            addMillis.add(add.millis());
            pod.result = add.stdout();
            pod.addresses = addresses(add.stdout());
            checkUnique(pod);
            pod.up = true;
            checkReachesGateway(pod);
            Thread.sleep(random.nextInt(settings.maxHoldMillis() + 1));
        } else {
            addsFailed.incrementAndGet();
            expectExplained(add);
        }
        pod.up = false;
        delUntilDone(pod, random);
        deletedAtNanos.put(pod.id, System.nanoTime());
        checkTapGone(pod);
        Exec.run(List.of("ip", "netns", "del", pod.netns));
        pods.remove(pod.id);
    }

    /**
     * DEL answers once the pod is out of the data path and its addresses are released; the kernel
     * removes the TAP just after (podswitchd closes it on a thread of its own, or the kernel does when
     * podswitchd is killed first). It must be gone within {@link #TAP_GONE_WITHIN_NANOS}.
     */
    private void checkTapGone(Pod pod) throws Exception {
        long deadline = System.nanoTime() + TAP_GONE_WITHIN_NANOS;
        while (Exec.exec(List.of("ip", "-n", pod.netns, "link", "show", "eth0"), Exec.DEFAULT_TIMEOUT).exitCode() == 0) {
            if (System.nanoTime() > deadline) {
                violation(pod.id + ": eth0 (the TAP) is still in " + pod.netns + " "
                        + TimeUnit.NANOSECONDS.toMillis(TAP_GONE_WITHIN_NANOS) + " ms after a successful DEL");
                return;
            }
            Thread.sleep(10);
        }
    }

    private void delUntilDone(Pod pod, SplittableRandom random) throws Exception {
        ObjectNode conf = netconf.deepCopy();
        if (pod.result != null) {
            conf.set("prevResult", JsonCodec.tree(pod.result));
        }
        long giveUp = System.nanoTime() + DEL_GIVE_UP_NANOS;
        while (true) {
            PluginCall del = call("DEL", pod, conf, random);
            if (del.succeeded()) {
                return;
            }
            expectExplained(del);
            if (System.nanoTime() > giveUp) {
                violation(pod.id + ": DEL did not succeed within 120 s: " + del);
                return;
            }
            delRetries.incrementAndGet();
            Thread.sleep(100);
        }
    }

    /**
     * Runs the plugin; every N-th call is killed, alternately within its first 40 ms (surely still
     * starting its JVM) and 40–300 ms in (talking to the daemon, or printing the answer).
     */
    private PluginCall call(String command, Pod pod, ObjectNode conf, SplittableRandom random) throws Exception {
        PluginCall call = PluginCall.start(launcher, command, pod.id, "/var/run/netns/" + pod.netns, JsonCodec.text(conf));
        running.add(call);
        int n = pluginCalls.incrementAndGet();
        if (settings.pluginKillEvery() > 0 && n % settings.pluginKillEvery() == 0) {
            pluginKiller.schedule(() -> {
                if (call.isRunning()) {
                    call.kill();
                    pluginKills.computeIfAbsent(command, k -> new AtomicInteger()).incrementAndGet();
                }
            }, (n / settings.pluginKillEvery()) % 2 == 0 ? random.nextInt(40) : 40 + random.nextInt(260),
                    TimeUnit.MILLISECONDS);
        }
        try {
            return call.await();
        } finally {
            running.remove(call);
        }
    }

    /** A failed call must be explained by a kill of the plugin or of the daemon (error 11); anything else is a bug. */
    private void expectExplained(PluginCall call) {
        if (call.wasKilled()) {
            return;
        }
        String out = call.stdout();
        if (!out.contains("\"code\": 11")) {
            violation("unexpected plugin failure: " + call);
        }
    }

    private static List<String> addresses(String result) {
        List<String> out = new ArrayList<>();
        for (NodeReader ip : NodeReader.of(JsonCodec.tree(result), "result").optionalObjectList("ips")) {
            String a = ip.requiredString("address");
            out.add(a.substring(0, a.indexOf('/')));
        }
        return out;
    }

    // ---------------------------------------------------------------- checks while running

    private void checkUnique(Pod pod) {
        for (Pod other : pods.values()) {
            if (other != pod && other.up) {
                for (String a : pod.addresses) {
                    if (other.addresses.contains(a)) {
                        violation(a + " given to " + pod.id + " while " + other.id + " holds it");
                    }
                }
            }
        }
    }

    /**
     * The pod reaches each gateway, judged only while one daemon process is up throughout the pings. The
     * incarnation is read before {@code daemonUp} (a kill clears {@code daemonUp} before it counts the
     * incarnation), so a check cannot start in the gap between a kill and its restart and be blamed on
     * the restarted daemon: the CI violation "churn…x8 (ADD succeeded) cannot reach its gateway" was
     * that — the ADD answered just before the kill, the three pings ran while the daemon was down, the
     * restart finished during the last one. A check the daemon was down for, or that a kill overlapped,
     * is not skipped but repeated against the restarted daemon: an ADD that succeeded must give
     * connectivity across a kill -9 too.
     */
    private void checkReachesGateway(Pod pod) throws Exception {
        for (String gw : gateways) {
            long giveUp = System.nanoTime() + RESTART_WAIT_NANOS;
            while (true) {
                int before = incarnation;
                if (!daemonUp) {
                    if (System.nanoTime() > giveUp) {
                        violation(pod.id + ": podswitchd not back within 120 s to check the gateway " + gw);
                        return;
                    }
                    Thread.sleep(10);
                    continue;
                }
                if (ping(pod.netns, gw)) {
                    break;
                }
                if (daemonUp && before == incarnation) {
                    violation(pod.id + " (ADD succeeded) cannot reach its gateway " + gw + " (daemon start " + before
                            + " up throughout; it lists the pod with " + daemonView(pod) + ")");
                    break;
                }
            }
        }
    }

    /** The pod's addresses as podswitchd lists them now, for a violation's message. */
    private String daemonView(Pod pod) {
        try {
            return String.valueOf(node.pods().get(pod.id));
        } catch (IOException e) {
            return "(no answer: " + e.getMessage() + ")";
        }
    }

    /** Up to three pings, one second each (the first may wait for ARP/ND). */
    private static boolean ping(String netns, String address) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (Exec.exec(List.of("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "1", address),
                    Duration.ofSeconds(10)).exitCode() == 0) {
                return true;
            }
        }
        return false;
    }

    /** Pings between random live pods, and every ~2 s a look at IPAM for double and leaked addresses. */
    private void trafficLoop() {
        SplittableRandom random = new SplittableRandom(settings.seed() ^ 0x5eedL);
        long nextAudit = System.nanoTime();
        while (!finished) {
            try {
                List<Pod> up = pods.values().stream().filter(p -> p.up).toList();
                // The incarnation first, then daemonUp (see checkReachesGateway): read the other way round,
                // a kill between the two reads would charge the down time to the restarted daemon.
                int inc = incarnation;
                if (up.size() >= 2 && daemonUp) {
                    Pod a = up.get(random.nextInt(up.size()));
                    Pod b = up.get(random.nextInt(up.size()));
                    if (a != b && !b.addresses.isEmpty()) {
                        String target = b.addresses.get(random.nextInt(b.addresses.size()));
                        if (ping(a.netns, target)) {
                            pings.incrementAndGet();
                        } else if (a.up && b.up && daemonUp && inc == incarnation) {
                            violation(a.id + " cannot reach " + b.id + " at " + target);
                        }
                    }
                }
                inc = incarnation;
                if (System.nanoTime() > nextAudit && daemonUp) {
                    nextAudit = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    try {
                        auditIpam();
                    } catch (IOException e) {
                        if (daemonUp && inc == incarnation) {
                            violation("podswitchd does not answer while it runs: " + e.getMessage());
                        }
                    }
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                violation("traffic check failed: " + e);
            }
        }
    }

    /** IPAM never gives an address to two containers, nor keeps one for a container the runtime deleted. */
    private void auditIpam() throws IOException {
        long asOf = System.nanoTime();
        Map<String, List<String>> allocations = node.allocations();
        Map<String, String> holder = new HashMap<>();
        for (var e : allocations.entrySet()) {
            Long deleted = deletedAtNanos.get(e.getKey());
            if (deleted != null && deleted < asOf) {
                violation("address leaked: IPAM still holds " + e.getValue() + " for " + e.getKey()
                        + ", whose DEL succeeded");
            }
            for (String a : e.getValue()) {
                String previous = holder.put(a, e.getKey());
                if (previous != null) {
                    violation(a + " is allocated to both " + previous + " and " + e.getKey());
                }
            }
        }
    }

    // ---------------------------------------------------------------- daemon kills

    private void killLoop() {
        SplittableRandom random = new SplittableRandom(settings.seed() ^ 0xdeadL);
        for (int killAt : settings.daemonKillCycles()) {
            try {
                while (nextCycle.get() < killAt || running.stream().noneMatch(c -> c.command.equals("ADD"))) {
                    if (finished) {
                        return;
                    }
                    Thread.sleep(1);
                }
                // Most of an ADD is the plugin's JVM starting; the daemon's part comes last. Aim the kill
                // at 60–110 % of a typical ADD so that it lands inside the daemon's work often.
                Thread.sleep((long) (typicalAddMillis() * (0.6 + 0.5 * random.nextDouble())));
                killOrDrain.lock();
                try {
                    killAndRestart(random);
                } finally {
                    killOrDrain.unlock();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                violation("daemon kill/restart failed: " + e + "\n" + node.daemonLog());
                return;
            }
        }
    }

    /** The median of the ADDs so far (150 ms before the first). */
    private double typicalAddMillis() {
        double[] sorted;
        synchronized (addMillis) {
            sorted = addMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
        return sorted.length == 0 ? 150 : sorted[sorted.length / 2];
    }

    private void killAndRestart(SplittableRandom random) throws Exception {
        List<PluginCall> inFlight = List.copyOf(running);
        Map<String, List<String>> upBefore = new HashMap<>();
        for (Pod p : pods.values()) {
            if (p.up) {
                upBefore.put(p.id, p.addresses);
            }
        }
        daemonUp = false;
        incarnation++;
        node.kill9();
        daemonKills.incrementAndGet();
        DiskState disk = DiskState.read(node.stateDir());
        Thread.sleep(random.nextInt(400));
        node.restart();
        daemonUp = true;
        progress.accept("podswitchd killed (-9) during " + inFlight.size() + " plugin call(s) and restarted");
        Map<String, List<String>> after = node.pods();
        for (var e : upBefore.entrySet()) {
            Pod p = pods.get(e.getKey());
            if (p != null && p.up && !e.getValue().equals(after.get(e.getKey()))) {
                violation("after the restart " + e.getKey() + " is not re-attached with " + e.getValue() + " (daemon has "
                        + after.get(e.getKey()) + ")");
            }
        }
        for (PluginCall call : inFlight) {
            while (call.isRunning()) {
                Thread.sleep(5);
            }
            Thread.sleep(5); // await() records the outcome right after the exit
            CrashPhase phase = CrashPhase.of(call.command, call.succeeded(), disk, call.containerId);
            crashPhases.computeIfAbsent(phase.description, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    // ---------------------------------------------------------------- at rest

    /** All cycles in flight finish, then: no pod, only the node's addresses, no netns or TAP left; fds and RSS. */
    private void drain() {
        rest.writeLock().lock();
        killOrDrain.lock();
        try {
            int cycle = cyclesDone.get();
            Map<String, List<String>> left = node.pods();
            if (!left.isEmpty()) {
                violation("at rest after " + cycle + " cycles podswitchd still has pods " + left.keySet());
            }
            Map<String, List<String>> allocations = node.allocations();
            if (allocations.size() != 1) {
                violation("at rest after " + cycle + " cycles IPAM holds more than the node's own addresses: " + allocations);
            }
            List<String> namespaces = Exec.run(List.of("ip", "netns", "list")).lines()
                    .filter(l -> l.startsWith("psc" + runId)).toList();
            if (!namespaces.isEmpty()) {
                violation("network namespaces left: " + namespaces);
            }
            int taps = rootNetnsTaps();
            if (taps > rootTaps) {
                violation("the root netns has " + (taps - rootTaps) + " more TAP device(s) than before the soak");
            }
            long pid = node.daemonPid();
            int fds;
            try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                fds = (int) list.count();
            }
            drains.add(new ChurnReport.Drain(incarnation, cycle, fds, rssKiB(pid)));
            progress.accept("at rest after " + cycle + " cycles: " + fds + " fds, " + rssKiB(pid) / 1024 + " MiB RSS, "
                    + violations.size() + " violation(s)");
        } catch (Exception e) {
            violation("drain checkpoint failed: " + e);
        } finally {
            killOrDrain.unlock();
            rest.writeLock().unlock();
        }
    }

    /** fds and RSS at rest must not grow within one daemon process (restarts start afresh). */
    private void checkRestMetrics() {
        Map<Integer, List<ChurnReport.Drain>> byIncarnation = new TreeMap<>();
        for (ChurnReport.Drain d : drains) {
            byIncarnation.computeIfAbsent(d.incarnation(), k -> new ArrayList<>()).add(d);
        }
        for (List<ChurnReport.Drain> series : byIncarnation.values()) {
            ChurnReport.Drain first = series.getFirst();
            ChurnReport.Drain last = series.getLast();
            if (last.fds() > first.fds() + FD_GROWTH_LIMIT) {
                violation("fd leak: the daemon at rest had " + first.fds() + " fds after " + first.cycle() + " cycles, "
                        + last.fds() + " after " + last.cycle());
            }
            if (last.rssKiB() > first.rssKiB() + RSS_GROWTH_LIMIT_KIB) {
                violation("memory grows: the daemon at rest had " + first.rssKiB() / 1024 + " MiB RSS after "
                        + first.cycle() + " cycles, " + last.rssKiB() / 1024 + " MiB after " + last.cycle());
            }
        }
    }

    private static int rootNetnsTaps() throws IOException {
        return (int) Exec.run(List.of("ip", "-o", "link", "show", "type", "tun")).lines().count();
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private void violation(String what) {
        violations.add(what);
        progress.accept("VIOLATION: " + what);
    }
}
