package io.podswitch.perf.bench.jvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped launchers, run as they are (copied with bin/lib into a scratch checkout whose JDK is a
 * fake {@code java} that writes down its arguments): {@code bin/podswitch bench} starts its JVM with
 * exactly bin/podswitchd's flags, and those give C2 — so no bench subject that runs in the bench's own
 * JVM can run C1-only (the defect of issue 16: every bench ran with {@code -XX:TieredStopAtLevel=1}).
 */
class LauncherFlagsTest {

    @Test
    void benchRunsWithTheDaemonsFlags(@TempDir Path dir) throws Exception {
        Path home = scratchCheckout(dir);
        List<String> bench = jvmFlags(run(home, dir, "bin/podswitch", "bench", "engine", "--smoke"));
        List<String> daemon = jvmFlags(run(home, dir, "bin/podswitchd", "--config", "/nonexistent"));
        assertEquals(ShippedJvmFlags.daemon(), daemon, "bin/podswitchd: bin/lib/jvm.flags + podswitchd.flags");
        assertEquals(daemon, bench, "bin/podswitch bench runs with the daemon's flags");
        assertTrue(Compilers.ofJvmStartedWith(bench).hasC2(), "and they give C2: " + bench);
        // the other commands stay quick to start (C1 only is fine for a one-shot client)
        List<String> client = jvmFlags(run(home, dir, "bin/podswitch", "pods"));
        assertTrue(client.containsAll(ShippedJvmFlags.common()) && client.contains("-XX:TieredStopAtLevel=1"),
                client.toString());
    }

    /** bin/ and bin/lib/ copied; empty jars where podswitch_classpath looks; a JDK "25" whose java records its arguments. */
    private static Path scratchCheckout(Path dir) throws Exception {
        Path home = dir.resolve("checkout");
        Path repoBin = Path.of("..", "bin"); // surefire runs in the module directory
        Files.createDirectories(home.resolve("bin/lib"));
        for (String f : List.of("podswitch", "podswitchd", "lib/jdk.sh", "lib/jvm.flags", "lib/podswitchd.flags")) {
            Files.copy(repoBin.resolve(f), home.resolve("bin").resolve(f));
        }
        for (String module : List.of("perf", "switch")) {
            Files.createDirectories(home.resolve(module).resolve("target/lib"));
            Files.createFile(home.resolve(module).resolve("target/podswitch-" + module + "-0.jar"));
        }
        Path jdk = dir.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.3\"\n");
        Path java = jdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$ARGS_FILE\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    /** Runs a launcher; returns the arguments its java got. */
    private static List<String> run(Path home, Path dir, String... command) throws Exception {
        Path args = dir.resolve("args");
        Files.deleteIfExists(args);
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, home.resolve(command[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
        pb.environment().put("ARGS_FILE", args.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "launcher hung");
        assertEquals(0, p.exitValue(), out);
        return Files.readAllLines(args);
    }

    /** The JVM flags: everything before {@code -cp}. */
    private static List<String> jvmFlags(List<String> javaArgs) {
        int cp = javaArgs.indexOf("-cp");
        assertTrue(cp >= 0, "no -cp in " + javaArgs);
        return javaArgs.subList(0, cp);
    }
}
