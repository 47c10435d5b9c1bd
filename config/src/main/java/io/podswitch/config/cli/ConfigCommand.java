package io.podswitch.config.cli;

import io.podswitch.config.ConfigError;
import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.OverlayConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code podswitch config validate|show FILE|--example}. Exit codes: 0 valid, 2 invalid or unreadable
 * (every error on stderr as {@code file:line:column: path: message}), 64 usage error (sysexits EX_USAGE).
 */
public final class ConfigCommand {

    public static final int EXIT_OK = 0;
    public static final int EXIT_INVALID = 2;
    public static final int EXIT_USAGE = 64;

    static final String USAGE = "usage: podswitch config validate|show FILE|--example";

    private ConfigCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, System.getenv());
    }

    /** As {@link #run(String[], PrintStream, PrintStream)} with an explicit environment (for {@code NODE_NAME}). */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            out.println(USAGE);
            out.println("  validate  check the file; print a one-line summary (exit 0) or every error (exit 2)");
            out.println("  show      print the effective configuration: defaults and allocated pod CIDRs filled in");
            out.println("  --example use the embedded example (dual-stack, three nodes) instead of a file");
            return EXIT_OK;
        }
        if (args.length != 2 || !(args[0].equals("validate") || args[0].equals("show"))
                || args[1].isEmpty() || (args[1].startsWith("-") && !args[1].equals("--example"))) {
            err.println(USAGE);
            return EXIT_USAGE;
        }
        boolean example = args[1].equals("--example");
        String name = example ? ConfigLoader.EXAMPLE_RESOURCE : args[1];
        ClusterConfig config;
        try {
            config = example ? ConfigLoader.loadExample() : ConfigLoader.load(Path.of(args[1]), env);
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                err.println(error.format());
            }
            int count = e.errors().size();
            err.println(name + ": invalid, " + count + (count == 1 ? " error" : " errors"));
            return EXIT_INVALID;
        }
        if (args[0].equals("validate")) {
            out.println(name + ": valid, " + summary(config));
        } else {
            out.print(EffectiveConfigWriter.toYaml(config));
        }
        return EXIT_OK;
    }

    /** e.g. "dual-stack IPv4+IPv6 (primary IPv4), 3 nodes, this node node-a, vxlan VNI 1 port 4789, pod MTU 1450, 1 service". */
    static String summary(ClusterConfig config) {
        String families = config.ipFamilies().stream().map(Object::toString).collect(Collectors.joining("+"));
        String stack = config.isDualStack() ? "dual-stack " + families + " (primary " + config.primaryFamily() + ")"
                : families + " only";
        OverlayConfig overlay = config.overlay();
        String transport = overlay.mode().encapsulates()
                ? overlay.mode().configName() + " VNI " + overlay.vni() + " port " + overlay.udpPort()
                : "direct routing";
        int services = config.services().size();
        if (config.fromKubernetes()) {
            int overrides = config.uplinkOverrides().size();
            return stack + ", nodes and services from the Kubernetes API"
                    + (overrides == 0 ? "" : " (" + overrides + " uplink override" + (overrides == 1 ? ")" : "s)"))
                    + ", this node " + config.thisNodeName() + ", " + transport + ", pod MTU " + overlay.podMtu();
        }
        return stack + ", " + config.nodes().size() + (config.nodes().size() == 1 ? " node" : " nodes")
                + ", this node " + config.thisNodeName() + ", " + transport + ", pod MTU " + overlay.podMtu()
                + ", " + services + (services == 1 ? " service" : " services");
    }
}
