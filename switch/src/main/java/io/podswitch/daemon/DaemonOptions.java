package io.podswitch.daemon;

import io.podswitch.daemon.engine.EngineConfig;
import io.podswitch.worker.IdleStrategies;
import io.podswitch.worker.WorkerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * podswitchd's command line.
 *
 * <pre>
 * podswitchd [--config FILE] [--node NAME] [--state-dir DIR] [--run-dir DIR] [--workers N]
 *            [--idle adaptive[:SPINNS[:MAXSLEEPMS]]|spin|backoff|yield|sleep[:NS]] [--tap-io uring|syscalls]
 *            [--frames N] [--host-port NAME] [--max-pods N] [--metrics-address HOST:PORT|off]
 *            [--kubeconfig FILE] [--service-flows N]
 * </pre>
 *
 * @param nodeName       {@code --node}, else {@code NODE_NAME} from the environment, else null (the config's {@code node:})
 * @param metricsAddress where {@code /metrics}, {@code /healthz} and {@code /readyz} listen (TCP); null = off
 * @param kubeconfig     {@code --kubeconfig} (with {@code source: kubernetes}), else null: the config's, else auto-configured
 * @param serviceFlows   {@code --service-flows}: service flows (NAT conntrack records) each worker tracks
 * @param ioUring        {@code --tap-io uring}: workers batch TAP reads and writes through io_uring
 */
public record DaemonOptions(Path config, String nodeName, Path stateDir, Path runDir, int workers, String idle,
                            int frames, String hostPortName, int maxPods, InetSocketAddress metricsAddress,
                            Path kubeconfig, int serviceFlows, boolean ioUring) {
    public static final Path DEFAULT_CONFIG = Path.of("/etc/podswitch/cluster.yaml");
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/podswitch");
    public static final Path DEFAULT_RUN_DIR = Path.of("/run/podswitch");
    public static final String DEFAULT_HOST_PORT = "podswitch0";
    /** Loopback only by default: the kubelet probes 127.0.0.1 of a hostNetwork pod; Prometheus needs an opt-in. */
    public static final InetSocketAddress DEFAULT_METRICS_ADDRESS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9469);
    public static final String USAGE = """
            usage: podswitchd [--config FILE] [--node NAME] [--state-dir DIR] [--run-dir DIR] [--workers N]
                              [--idle adaptive[:SPINNS[:MAXSLEEPMS]]|spin|backoff|yield|sleep[:NS]]
                              [--tap-io uring|syscalls] [--frames N] [--host-port NAME] [--max-pods N]
                              [--metrics-address HOST:PORT|off] [--kubeconfig FILE] [--service-flows N]
              --config     cluster network config (default /etc/podswitch/cluster.yaml)
              --node       this node's name (default: $NODE_NAME, else the config's node:)
              --state-dir  IPAM and pod registry (default /var/lib/podswitch)
              --run-dir    control socket podswitchd.sock and stats file (default /run/podswitch)
              --workers    worker threads (default 1)
              --idle       worker idle strategy (default adaptive: spin while busy, sleep on the queues'
                           descriptors when idle; spin for dedicated cores)
              --tap-io     TAP reads and writes: syscalls (default: read/write per frame) or uring
                           (batched through each worker's io_uring; system calls where the kernel refuses it)
              --frames     packet frames of 2 KiB (default 16384)
              --host-port  name of the node's TAP into the switch (default podswitch0)
              --max-pods   most pod attachments (default 1000)
              --metrics-address  TCP address of /metrics, /healthz, /readyz (default 127.0.0.1:9469;
                           0.0.0.0:9469 or [::]:9469 for Prometheus on other hosts; off: none)
              --kubeconfig       with source: kubernetes, the API server's kubeconfig (default: the config's
                           kubernetes.kubeconfig, else KUBECONFIG, ~/.kube/config, the pod's service account)
              --service-flows  service connections each worker tracks (default 65536, a power of two
                           in [1024, 4194304]; ~140 bytes of heap each)""";

    /** Thrown for a malformed command line (exit 64 with the usage). */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    public Path socket() {
        return runDir.resolve("podswitchd.sock");
    }

    public Path statsFile() {
        return runDir.resolve("stats");
    }

    public EngineConfig engineConfig() {
        return new EngineConfig(workers, idle, frames, maxPods + 2, serviceFlows, ioUring);
    }

    public static DaemonOptions parse(String[] args, Map<String, String> env) throws UsageException {
        Path config = DEFAULT_CONFIG;
        String node = null;
        Path state = DEFAULT_STATE_DIR;
        Path run = DEFAULT_RUN_DIR;
        int workers = 1;
        String idle = IdleStrategies.DEFAULT;
        int frames = EngineConfig.DEFAULT_FRAMES;
        String hostPort = DEFAULT_HOST_PORT;
        int maxPods = 1000;
        Path kubeconfig = null;
        InetSocketAddress metrics = DEFAULT_METRICS_ADDRESS;
        int serviceFlows = EngineConfig.DEFAULT_SERVICE_FLOWS;
        boolean ioUring = WorkerConfig.DEFAULT_IO_URING;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                throw new UsageException("");
            }
            if (i + 1 >= args.length) {
                throw new UsageException("missing value for " + arg);
            }
            String value = args[++i];
            switch (arg) {
                case "--config" -> config = Path.of(value);
                case "--node" -> node = nonEmpty(arg, value);
                case "--state-dir" -> state = Path.of(value);
                case "--run-dir" -> run = Path.of(value);
                case "--workers" -> workers = number(arg, value, 1, 64);
                case "--idle" -> idle = idle(value);
                case "--tap-io" -> ioUring = switch (value) {
                    case "uring" -> true;
                    case "syscalls" -> false;
                    default -> throw new UsageException("--tap-io must be uring or syscalls: " + value);
                };
                case "--frames" -> frames = number(arg, value, 4096, 1 << 22);
                case "--host-port" -> hostPort = interfaceName(value);
                case "--max-pods" -> maxPods = number(arg, value, 1, 60000);
                case "--kubeconfig" -> kubeconfig = Path.of(nonEmpty(arg, value));
                case "--metrics-address" -> metrics = address(arg, value);
                case "--service-flows" -> serviceFlows = serviceFlows(arg, value);
                default -> throw new UsageException("unknown option " + arg);
            }
        }
        if (node == null) {
            String fromEnv = env.get("NODE_NAME");
            node = fromEnv == null || fromEnv.isEmpty() ? null : fromEnv;
        }
        if (frames < workers * 2048) {
            throw new UsageException("--frames " + frames + " is too few for " + workers + " worker(s): at least "
                    + workers * 2048);
        }
        long flowBytes = (long) workers * serviceFlows * EngineConfig.SERVICE_FLOW_BYTES;
        long heap = Runtime.getRuntime().maxMemory();
        if (flowBytes > heap / 2) {
            throw new UsageException("--service-flows " + serviceFlows + " with " + workers + " worker(s) needs "
                    + (flowBytes >> 20) + " MiB of heap, more than half of this JVM's " + (heap >> 20)
                    + " MiB (raise -Xmx in bin/lib/podswitchd.flags, or track fewer flows)");
        }
        return new DaemonOptions(config, node, state, run, workers, idle, frames, hostPort, maxPods, metrics,
                kubeconfig, serviceFlows, ioUring);
    }

    /**
     * {@code off}, {@code HOST:PORT} or {@code [V6]:PORT} with a literal address (no name lookup at start-up).
     */
    static InetSocketAddress address(String option, String value) throws UsageException {
        if (value.equals("off")) {
            return null;
        }
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new UsageException(option + " must be HOST:PORT, [IPv6]:PORT or off: " + value);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new UsageException(option + ": write an IPv6 address in brackets, e.g. [::1]:9469: " + value);
        }
        int port = number(option, value.substring(colon + 1), 0, 65535);
        try {
            return new InetSocketAddress(io.podswitch.daemon.ipam.IpAddresses.parse(host), port);
        } catch (RuntimeException e) {
            throw new UsageException(option + ": '" + host + "' is not an IP address");
        }
    }

    private static String nonEmpty(String option, String value) throws UsageException {
        if (value.isEmpty()) {
            throw new UsageException(option + " must not be empty");
        }
        return value;
    }

    private static int number(String option, String value, int min, int max) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new UsageException(option + " must be in [" + min + ", " + max + "]: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " is not a number: " + value);
        }
    }

    private static int serviceFlows(String option, String value) throws UsageException {
        int n = number(option, value, EngineConfig.MIN_SERVICE_FLOWS, EngineConfig.MAX_SERVICE_FLOWS);
        if (Integer.bitCount(n) != 1) {
            throw new UsageException(option + " must be a power of two (the flow table's buckets are indexed by a mask): "
                    + value);
        }
        return n;
    }

    private static String idle(String value) throws UsageException {
        try {
            IdleStrategies.parse(value);
            return value;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--idle: " + e.getMessage());
        }
    }

    private static String interfaceName(String value) throws UsageException {
        if (value.isEmpty() || value.length() > 15 || value.contains("/") || value.contains(":")
                || value.chars().anyMatch(c -> c <= ' ')) {
            throw new UsageException("--host-port must be a valid interface name (at most 15 characters): " + value);
        }
        return value;
    }
}
