package io.podswitch.perf.baseline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * DPDK's per-process runtime directory ({@code /var/run/dpdk/<file-prefix>}): a unique prefix per
 * run so parallel runs never share it, removed afterwards so runs leave nothing behind.
 */
final class DpdkRuntimeDir implements AutoCloseable {

    private static final Path ROOT = Path.of("/var/run/dpdk");
    private static final SecureRandom IDS = new SecureRandom();

    private final String prefix;

    DpdkRuntimeDir(String purpose) {
        byte[] id = new byte[3];
        IDS.nextBytes(id);
        this.prefix = "podswitch-" + purpose + "-" + HexFormat.of().formatHex(id);
    }

    String prefix() {
        return prefix;
    }

    @Override
    public void close() {
        Path dir = ROOT.resolve(prefix);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not remove DPDK runtime directory " + dir + ": " + e.getMessage());
        }
    }
}
