package io.podswitch.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lib/prereqs.sh, which the README's two commands (scripts/test, scripts/demo) use to set up a
 * fresh machine, run against a machine where some packages are missing: stand-ins for {@code dpkg-query},
 * {@code apt-get} and {@code id} on the PATH say what is installed and who runs it, and record what would
 * be installed. (The real tools are installed on this machine and shared: the test must not remove them.)
 */
class PrerequisitesScriptTest {
    private static final Path PREREQS = Path.of(System.getProperty("user.dir")).resolveSibling("scripts")
            .resolve("lib").resolve("prereqs.sh");

    @TempDir
    Path dir;

    private record Run(int exit, String out, String aptLog) {
    }

    private Run run(boolean root, Set<String> installed, String call) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path aptLog = dir.resolve("apt.log");
        Files.deleteIfExists(aptLog);
        script(bin.resolve("dpkg-query"), "for a; do p=$a; done\ncase \" " + String.join(" ", installed)
                + " \" in *\" $p \"*) echo -n 'install ok installed';; *) exit 1;; esac");
        script(bin.resolve("apt-get"), "echo \"$*\" >> " + aptLog);
        script(bin.resolve("id"), "echo " + (root ? 0 : 1000));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source " + PREREQS + "; " + call)
                .redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, Files.exists(aptLog) ? Files.readString(aptLog) : "");
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void asRootWhatIsMissingIsInstalledAndNamed() throws Exception {
        Run r = run(true, Set.of("iproute2", "procps", "util-linux"),
                "podswitch_require_packages 'the live demo' $PODSWITCH_DEMO_PACKAGES");
        assertEquals(0, r.exit(), r.out());
        assertEquals("podswitch: installing for the live demo: iputils-ping iperf3\n", r.out());
        assertEquals(List.of("update -qq", "install -y -qq --no-install-recommends iputils-ping iperf3"),
                r.aptLog().lines().toList());
    }

    @Test
    void notRootOneLineSaysWhatToInstallAndNothingIsTried() throws Exception {
        Run r = run(false, Set.of("iproute2"), "podswitch_require_packages 'the live demo' $PODSWITCH_DEMO_PACKAGES");
        assertEquals(1, r.exit());
        assertEquals("podswitch: the live demo needs: iputils-ping iperf3 procps util-linux — as root run: "
                + "apt-get install -y iputils-ping iperf3 procps util-linux\n", r.out());
        assertEquals("", r.aptLog());
    }

    @Test
    void nothingHappensWhenEverythingIsThere() throws Exception {
        Run r = run(true, Set.of("maven"), "podswitch_require_packages 'building podswitch' $PODSWITCH_BUILD_PACKAGES");
        assertEquals(0, r.exit());
        assertEquals("", r.out());
        assertEquals("", r.aptLog());
    }

    @Test
    void theTestListCoversWhatTheIntegrationTestsRun() throws Exception {
        Run r = run(false, Set.of(), "echo $PODSWITCH_TEST_PACKAGES");
        List<String> packages = List.of(r.out().trim().split("\\s+"));
        for (String needed : List.of("iproute2", "iputils-ping", "iperf3", "python3", "prometheus", "podman",
                "containerd", "containernetworking-plugins", "nftables")) {
            assertTrue(packages.contains(needed), needed + " in " + packages);
        }
    }

    @Test
    void theReadmeNeverAsksForSudo() throws IOException {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        for (Path doc : List.of(root.resolve("README.md"), root.resolve("docs").resolve("operations.md"))) {
            for (String line : Files.readAllLines(doc)) {
                assertFalse(line.matches(".*(^|[`\\s(])sudo\\s.*"), doc.getFileName() + ": " + line);
            }
        }
    }
}
