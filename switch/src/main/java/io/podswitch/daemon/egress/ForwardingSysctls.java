package io.podswitch.daemon.egress;

import io.podswitch.config.cidr.IpFamily;
import io.podswitch.daemon.DaemonLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns on the kernel forwarding that pods' traffic through the node needs, by writing the files under
 * {@code /proc/sys} of the daemon's network namespace (never running {@code sysctl}):
 * <pre>
 *   pod → switch → podswitch0 → kernel ──forward──► uplink → outside       (and the replies back)
 *   net.ipv4.ip_forward = 1                      for IPv4 pods
 *   net.ipv6.conf.all.forwarding = 1             for IPv6 pods
 * </pre>
 * A value already 1 is left alone; nothing is turned back off on exit (other software may depend on it,
 * as with Calico and Flannel). When IPv6 forwarding goes on, Linux stops taking router advertisements on
 * interfaces with {@code accept_ra = 1} — a node that learns its IPv6 default route from RAs would lose it
 * when the route expires — so such interfaces get {@code accept_ra = 2} first (accept RAs while
 * forwarding: what they did before). A file that cannot be written (a read-only /proc/sys) is logged, not
 * fatal: pods still reach each other, only the outside is unreachable until the operator sets it.
 */
public final class ForwardingSysctls {
    private final Path procSys;

    /** @param procSys {@code /proc/sys}, or a directory laid out like it (tests) */
    public ForwardingSysctls(Path procSys) {
        this.procSys = procSys;
    }

    public static ForwardingSysctls system() {
        return new ForwardingSysctls(Path.of("/proc/sys"));
    }

    /** Enables forwarding for every family of the cluster; returns what it changed ("net.ipv4.ip_forward = 1"). */
    public List<String> enable(List<IpFamily> families) {
        List<String> changed = new ArrayList<>();
        if (families.contains(IpFamily.IPV4)) {
            set("net/ipv4/ip_forward", changed);
        }
        if (families.contains(IpFamily.IPV6) && !"1".equals(read("net/ipv6/conf/all/forwarding"))) {
            keepAcceptingRouterAdvertisements(changed);
            set("net/ipv6/conf/all/forwarding", changed);
        }
        if (!changed.isEmpty()) {
            DaemonLog.info("forwarding: set " + String.join(", ", changed));
        }
        return changed;
    }

    private void keepAcceptingRouterAdvertisements(List<String> changed) {
        Path conf = procSys.resolve("net/ipv6/conf");
        try (DirectoryStream<Path> interfaces = Files.newDirectoryStream(conf)) {
            for (Path dir : interfaces) {
                String name = dir.getFileName().toString();
                if (name.equals("all") || name.equals("default") || name.equals("lo")) {
                    continue;
                }
                String key = "net/ipv6/conf/" + name + "/accept_ra";
                if ("1".equals(read(key))) {
                    write(key, "2", changed);
                }
            }
        } catch (IOException e) {
            DaemonLog.warn("cannot list " + conf + " (router advertisements on interfaces with accept_ra = 1 "
                    + "stop being accepted once IPv6 forwarding is on)", e);
        }
    }

    private void set(String key, List<String> changed) {
        if (!"1".equals(read(key))) {
            write(key, "1", changed);
        }
    }

    private String read(String key) {
        try {
            return Files.readString(procSys.resolve(key), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private void write(String key, String value, List<String> changed) {
        Path file = procSys.resolve(key);
        try {
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII);
            changed.add(key.replace('/', '.') + " = " + value);
        } catch (IOException e) {
            DaemonLog.warn("cannot set " + key.replace('/', '.') + " = " + value + " (" + file + "); pods cannot "
                    + "reach outside the cluster until it is set", e);
        }
    }
}
