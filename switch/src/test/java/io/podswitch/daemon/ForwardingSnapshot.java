package io.podswitch.daemon;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test hygiene for daemons started in the test JVM's own (the machine's) network namespace: podswitchd
 * turns forwarding on there (and accept_ra 1 → 2, docs/egress.md) and, being production code, never turns
 * it back off. This remembers the values before the test and writes back those that changed.
 */
final class ForwardingSnapshot {
    private static final Path PROC_SYS = Path.of("/proc/sys");
    private final LinkedHashMap<Path, String> values = new LinkedHashMap<>();

    ForwardingSnapshot() {
        remember(PROC_SYS.resolve("net/ipv4/ip_forward"));
        remember(PROC_SYS.resolve("net/ipv6/conf/all/forwarding"));
        try (DirectoryStream<Path> devices = Files.newDirectoryStream(PROC_SYS.resolve("net/ipv6/conf"))) {
            for (Path device : devices) {
                remember(device.resolve("accept_ra"));
            }
        } catch (IOException e) {
            // no IPv6: nothing to remember
        }
    }

    private void remember(Path file) {
        try {
            values.put(file, Files.readString(file).strip());
        } catch (IOException e) {
            // absent here
        }
    }

    /** Writes back every value that changed (accept_ra before forwarding, the order the daemon changed them in reverse). */
    void restore() {
        for (Map.Entry<Path, String> e : values.reversed().entrySet()) {
            try {
                if (!Files.readString(e.getKey()).strip().equals(e.getValue())) {
                    Files.writeString(e.getKey(), e.getValue() + "\n");
                }
            } catch (IOException ignored) {
                // the interface is gone
            }
        }
    }
}
