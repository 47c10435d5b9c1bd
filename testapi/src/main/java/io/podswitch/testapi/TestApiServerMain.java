package io.podswitch.testapi;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code podswitch dev api-server [--listen ADDRESS:PORT] [--kubeconfig FILE]}: runs the test API server
 * until SIGTERM/SIGINT — for the demo and for trying {@code source: kubernetes} without a cluster. <b>A test
 * server, not a kube-apiserver</b>: objects live in memory, no authentication, plain HTTP; kubectl and
 * podswitchd talk to it through the kubeconfig it writes. Exit 64 on a bad command line, 1 if it cannot listen.
 */
public final class TestApiServerMain {
    static final String USAGE = "usage: podswitch dev api-server [--listen ADDRESS:PORT] [--kubeconfig FILE]\n"
            + "  a TEST Kubernetes API server (fabric8 mock, CRUD mode, in memory, plain HTTP, no auth) — not a real cluster\n"
            + "  --listen      where to listen (default 127.0.0.1:6443)\n"
            + "  --kubeconfig  write a kubeconfig for it there (for kubectl and podswitchd)";

    private TestApiServerMain() {
    }

    public static void main(String[] args) throws Exception {
        String listen = "127.0.0.1:6443";
        Path kubeconfig = null;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("-h") || args[i].equals("--help"))) {
                System.out.println(USAGE);
                return;
            }
            if (i + 1 >= args.length) {
                usage("missing value for " + args[i]);
            }
            switch (args[i]) {
                case "--listen" -> listen = args[++i];
                case "--kubeconfig" -> kubeconfig = Path.of(args[++i]);
                default -> usage("unknown option " + args[i]);
            }
        }
        int colon = listen.lastIndexOf(':');
        if (colon < 1) {
            usage("--listen wants ADDRESS:PORT, got " + listen);
        }
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            usage("--listen: the port is not a number: " + listen);
            return;
        }
        TestApiServer server;
        try {
            server = TestApiServer.start(InetAddress.getByName(host), port);
        } catch (RuntimeException e) {
            System.err.println("podswitch dev api-server: cannot listen on " + listen + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        if (kubeconfig != null) {
            TestApiServer.writeKubeconfig(kubeconfig, server.url());
        }
        System.out.println("podswitch dev api-server: TEST Kubernetes API server (fabric8 mock, CRUD mode, in memory; "
                + "not a real cluster) on " + server.url() + (kubeconfig == null ? "" : ", kubeconfig " + kubeconfig));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        stop.await();
    }

    private static void usage(String problem) {
        System.err.println("podswitch dev api-server: " + problem);
        System.err.println(USAGE);
        System.exit(64);
    }
}
