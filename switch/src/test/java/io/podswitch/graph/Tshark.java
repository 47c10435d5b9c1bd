package io.podswitch.graph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs tshark on a pcap when it is installed; golden tests use it as a second, independent parser. */
public final class Tshark {
    private static final Path BINARY = findBinary();

    private Tshark() {
    }

    private static Path findBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "tshark");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    public static boolean available() {
        return BINARY != null;
    }

    /** One row per packet, one column per field (the first occurrence: the outer header, not a quoted one). */
    public static List<List<String>> fields(Path pcap, String... fields) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "-n", "-r", pcap.toString(),
                "-o", "ip.check_checksum:TRUE"));
        cmd.addAll(List.of("-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("tshark failed on " + pcap + ": " + new String(err, StandardCharsets.UTF_8));
        }
        List<List<String>> rows = new ArrayList<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                rows.add(Arrays.asList(line.split("\t", -1)));
            }
        }
        return rows;
    }
}
