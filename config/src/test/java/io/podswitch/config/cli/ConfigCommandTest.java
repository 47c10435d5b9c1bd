package io.podswitch.config.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return ConfigCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
    }

    private int run(String... args) {
        return run(Map.of(), args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void validateAValidFilePrintsOneSummaryLine() {
        assertEquals(0, run("validate", "examples/ipv4.yaml"));
        assertEquals("examples/ipv4.yaml: valid, IPv4 only, 3 nodes, this node node-a, vxlan VNI 4096 port 4789, pod MTU 1450, "
                + "1 service" + System.lineSeparator(), out());
        assertEquals("", err());
    }

    @Test
    void validateTheEmbeddedExample() {
        assertEquals(0, run("validate", "--example"));
        assertTrue(out().startsWith("example-cluster.yaml: valid, dual-stack IPv4+IPv6 (primary IPv4), 3 nodes"), out());
    }

    @Test
    void theExampleIgnoresTheMachinesNodeName() {
        assertEquals(0, run(Map.of("NODE_NAME", "some-real-node"), "validate", "--example"));
    }

    @Test
    void validateAnInvalidFilePrintsEveryErrorAndExitsTwo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, Files.readString(Path.of("examples/ipv4.yaml"))
                .replace("vni: 4096", "vni: 0").replace("podCIDRs: [10.244.0.0/16]", "podCIDRs: [10.244.0.1/16]"));
        assertEquals(2, run("validate", file.toString()));
        String[] lines = err().split(System.lineSeparator());
        assertEquals(3, lines.length, err());
        assertEquals(file + ":3:12: podCIDRs[0]: 10.244.0.1/16 has host bits set; the network is 10.244.0.0/16", lines[0]);
        assertTrue(lines[1].startsWith(file + ":9:8: overlay.vni: 0 is outside 1..16777215"), lines[1]);
        assertEquals(file + ": invalid, 2 errors", lines[2]);
        assertEquals("", out());
    }

    @Test
    void missingFileIsInvalidNotACrash() {
        assertEquals(2, run("validate", "no/such/file.yaml"));
        assertTrue(err().startsWith("no/such/file.yaml: no such file"), err());
    }

    @Test
    void showPrintsTheEffectiveConfigWithAllocations() {
        assertEquals(0, run("show", "examples/ipv6.yaml"));
        String yaml = out();
        assertTrue(yaml.contains("podCIDRs: ['fd00:10:244::/64']"), yaml);
        assertTrue(yaml.contains("podCIDRs: ['fd00:10:244:1::/64']"), yaml);
        assertTrue(yaml.contains("udpPort: 6081"), yaml);
        assertTrue(yaml.contains("podMTU: 1430"), yaml);
        assertTrue(yaml.contains("underlayFamily: IPv6"), yaml);
    }

    @Test
    void showTheEmbeddedExample() {
        assertEquals(0, run("show", "--example"));
        assertTrue(out().startsWith("ipFamilies: [IPv4, IPv6]"), out());
    }

    @Test
    void showAnInvalidFileExitsTwo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "ipFamilies: [IPv4\n");
        assertEquals(2, run("show", file.toString()));
        assertTrue(err().contains("YAML syntax error"), err());
        assertEquals("", out());
    }

    @Test
    void usageErrorsExitSixtyFour() {
        for (String[] args : new String[][] {{}, {"validate"}, {"frobnicate", "x.yaml"}, {"show", "--exmaple"},
                {"validate", "a.yaml", "b.yaml"}}) {
            err.reset();
            assertEquals(64, run(args), String.join(" ", args));
            assertEquals(ConfigCommand.USAGE + System.lineSeparator(), err());
        }
    }

    @Test
    void helpExitsZero() {
        assertEquals(0, run("--help"));
        assertTrue(out().startsWith(ConfigCommand.USAGE), out());
    }
}
