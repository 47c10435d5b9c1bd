package io.podswitch.daemon.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podswitch.config.cidr.IpFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forwarding on, per family, written only when off, router advertisements kept; on a copy of /proc/sys's layout. */
class ForwardingSysctlsTest {

    private static void write(Path root, String key, String value) throws IOException {
        Path file = root.resolve(key);
        Files.createDirectories(file.getParent());
        Files.writeString(file, value + "\n");
    }

    private static String read(Path root, String key) throws IOException {
        return Files.readString(root.resolve(key)).strip();
    }

    private static void host(Path root, String ipForward, String ipv6Forwarding) throws IOException {
        write(root, "net/ipv4/ip_forward", ipForward);
        write(root, "net/ipv6/conf/all/forwarding", ipv6Forwarding);
        for (String dev : List.of("default", "lo", "eth0", "eth1")) {
            write(root, "net/ipv6/conf/" + dev + "/accept_ra", dev.equals("eth1") ? "0" : "1");
        }
    }

    @Test
    void dualStackTurnsBothOnAndKeepsRouterAdvertisementsWhereTheyWereAccepted(@TempDir Path root) throws IOException {
        host(root, "0", "0");
        List<String> changed = new ForwardingSysctls(root).enable(List.of(IpFamily.IPV6, IpFamily.IPV4));
        assertEquals(List.of("net.ipv4.ip_forward = 1", "net.ipv6.conf.eth0.accept_ra = 2", "net.ipv6.conf.all.forwarding = 1"),
                changed);
        assertEquals("1", read(root, "net/ipv4/ip_forward"));
        assertEquals("1", read(root, "net/ipv6/conf/all/forwarding"));
        assertEquals("2", read(root, "net/ipv6/conf/eth0/accept_ra"));
        assertEquals("0", read(root, "net/ipv6/conf/eth1/accept_ra"), "an interface that took no RAs still takes none");
        assertEquals("1", read(root, "net/ipv6/conf/default/accept_ra"), "new interfaces are not changed");
        assertEquals("1", read(root, "net/ipv6/conf/lo/accept_ra"));
    }

    @Test
    void settingsAlreadyOnAreNotWrittenAndOtherFamiliesNotTouched(@TempDir Path root) throws IOException {
        host(root, "1", "0");
        assertEquals(List.of(), new ForwardingSysctls(root).enable(List.of(IpFamily.IPV4)));
        assertEquals("0", read(root, "net/ipv6/conf/all/forwarding"), "an IPv4 cluster leaves IPv6 alone");
        assertEquals("1", read(root, "net/ipv6/conf/eth0/accept_ra"));
        write(root, "net/ipv6/conf/all/forwarding", "1");
        assertEquals(List.of(), new ForwardingSysctls(root).enable(List.of(IpFamily.IPV4, IpFamily.IPV6)));
        assertEquals("1", read(root, "net/ipv6/conf/eth0/accept_ra"), "forwarding was on before: nothing to keep");
    }

    @Test
    void aSettingThatCannotBeWrittenIsLoggedNotThrown(@TempDir Path root) throws IOException {
        host(root, "0", "0");
        Files.delete(root.resolve("net/ipv4/ip_forward"));
        Files.createDirectory(root.resolve("net/ipv4/ip_forward")); // writing it fails, as on a read-only /proc/sys
        assertEquals(List.of("net.ipv6.conf.eth0.accept_ra = 2", "net.ipv6.conf.all.forwarding = 1"),
                new ForwardingSysctls(root).enable(List.of(IpFamily.IPV4, IpFamily.IPV6)));
    }
}
