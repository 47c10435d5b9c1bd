package io.podswitch.port.afxdp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test topology: network namespaces, each joined to the root namespace by a veth pair whose root
 * end is where the switch opens its port. Names carry a random suffix; {@link #close} deletes
 * everything (deleting a namespace deletes the veth pair).
 *
 * <pre>
 *   netns px&lt;sfx&gt;a: pn&lt;sfx&gt;a (10.77.0.1/24, fd77::1/64) ── veth ── pr&lt;sfx&gt;a (root, port)
 *   netns px&lt;sfx&gt;b: pn&lt;sfx&gt;b (10.77.0.2/24, fd77::2/64) ── veth ── pr&lt;sfx&gt;b (root, port)
 * </pre>
 */
final class VethNamespaces implements AutoCloseable {
    record Side(String namespace, String rootInterface, String namespaceInterface, String ip4, String ip6) {
    }

    private final String suffix = String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private final List<Side> sides = new ArrayList<>();

    /** Adds a namespace with a veth pair; host number n gives 10.77.0.n and fd77::n. */
    Side add(char name, int host, int queues) {
        Side s = new Side("px" + suffix + name, "pr" + suffix + name, "pn" + suffix + name,
                "10.77.0." + host, "fd77::" + host);
        sides.add(s);
        sh("ip", "netns", "add", s.namespace());
        // Native XDP on veth needs at least as many RX queues as the peer has TX queues.
        sh("ip", "link", "add", s.rootInterface(), "numtxqueues", "" + queues, "numrxqueues", "" + queues,
                "type", "veth", "peer", "name", s.namespaceInterface(), "numtxqueues", "" + queues,
                "numrxqueues", "" + queues, "netns", s.namespace());
        // The pod side computes no checksums if it may offload them; packets leaving through AF_XDP
        // copy mode reach the other pod with the partial checksum. Real pods get TAPs with
        // virtio-net headers; veth pods in these tests compute checksums in software.
        sh("ip", "netns", "exec", s.namespace(), "ethtool", "-K", s.namespaceInterface(), "tx", "off");
        sh("sysctl", "-qw", "net.ipv6.conf." + s.rootInterface() + ".disable_ipv6=1");
        sh("ip", "link", "set", s.rootInterface(), "up");
        sh("ip", "-n", s.namespace(), "link", "set", "lo", "up");
        sh("ip", "-n", s.namespace(), "link", "set", s.namespaceInterface(), "up");
        sh("ip", "-n", s.namespace(), "addr", "add", s.ip4() + "/24", "dev", s.namespaceInterface());
        sh("ip", "-n", s.namespace(), "addr", "add", s.ip6() + "/64", "dev", s.namespaceInterface(), "nodad");
        return s;
    }

    /** Runs a command inside a namespace and returns its output; fails on a non-zero exit. */
    String inNamespace(Side s, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", s.namespace()));
        full.addAll(List.of(command));
        return sh(full.toArray(String[]::new));
    }

    /** Exit status of a command inside a namespace (for commands expected to fail, e.g. a lost ping). */
    int statusInNamespace(Side s, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", s.namespace()));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new)).status;
    }

    static String sh(String... command) {
        Result r = run(command);
        if (r.status != 0) {
            throw new IllegalStateException(String.join(" ", command) + " -> exit " + r.status + ": " + r.output);
        }
        return r.output;
    }

    record Result(int status, String output) {
    }

    static Result run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " timed out");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Side s : sides) {
            run("ip", "netns", "del", s.namespace());
            run("ip", "link", "del", s.rootInterface());
        }
    }
}
