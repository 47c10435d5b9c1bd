package io.podswitch.cni;

import io.podswitch.cni.install.PluginJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin executed as a runtime executes it: a separate JVM with the launcher's flags, env and
 * stdin, stdout parsed. Proves that stdout carries exactly the JSON document even when the JVM has
 * something to complain about (a stale AOT cache), and that exit codes are right.
 */
class PluginProcessTest {
    /** The flags bin/podswitch-cni uses (docs/cni.md), minus the AOT cache path. */
    static final List<String> LAUNCHER_FLAGS = PluginJvm.flags();

    @TempDir
    Path dir;
    FakeDaemon daemon;

    @BeforeEach
    void start() throws IOException {
        daemon = new FakeDaemon(dir.resolve("podswitchd.sock"));
    }

    @AfterEach
    void stop() throws IOException {
        daemon.close();
    }

    private record Exec(int exit, String stdout, String stderr) {
    }

    private Exec exec(Map<String, String> env, String stdin, String... extraFlags) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(LAUNCHER_FLAGS);
        cmd.addAll(List.of(extraFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PodswitchCni.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "plugin process finished");
            return new Exec(p.exitValue(), out, err);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void addAndDelAsAProcess() throws Exception {
        Map<String, String> env = CniRunner.env("ADD", daemon.socket());
        Exec add = exec(env, CniRunner.conf("1.0.0", ""));
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        JsonObject result = JsonParser.parseObject(add.stdout());
        assertEquals(new JsonString("1.0.0"), result.get("cniVersion"));
        env.put("CNI_COMMAND", "DEL");
        Exec del = exec(env, CniRunner.conf("1.0.0", ""));
        assertEquals(0, del.exit(), del.stdout() + del.stderr());
        assertEquals("", del.stdout());
    }

    /**
     * Start time: the launcher names the JDK's selector provider, so the plugin's socket does not look
     * it up with ServiceLoader (a scan of the system modules plus opening the plugin jar, which an
     * AOT-cached start never opens otherwise: ~5 ms CPU of every ADD, docs/cni.md "Startup"); and no
     * regex is compiled on the ADD path.
     */
    @Test
    void anAddLooksUpNoServiceAndCompilesNoRegex() throws Exception {
        Path log = dir.resolve("class-init.log");
        Exec add = exec(CniRunner.env("ADD", daemon.socket()), CniRunner.conf("1.0.0", ""),
                "-Xlog:class+init=info:file=" + log);
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        String initialised = Files.readString(log);
        assertTrue(initialised.contains("'sun/nio/ch/UnixDomainSockets'"), "the log saw the socket being opened");
        assertFalse(initialised.contains("'java/util/ServiceLoader'"), "ServiceLoader initialised during an ADD");
        assertFalse(initialised.contains("'java/util/regex/Pattern'"), "java.util.regex initialised during an ADD");
    }

    @Test
    void stdoutStaysCleanWhenTheJvmComplains() throws Exception {
        Exec v = exec(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.4.0\"}",
                "-XX:AOTCache=" + dir.resolve("missing.aot"));
        assertEquals(0, v.exit(), v.stderr());
        assertEquals(new JsonString("0.4.0"), JsonParser.parseObject(v.stdout()).get("cniVersion"));
        assertTrue(v.stderr().contains("aot"), "the JVM's complaint went to stderr: " + v.stderr());
    }

    @Test
    void errorExitsNonZeroWithSpecErrorOnStdout() throws Exception {
        daemon.close();
        Exec e = exec(CniRunner.env("ADD", daemon.socket()), CniRunner.conf("1.1.0", ""));
        assertEquals(1, e.exit());
        assertEquals(11L, ((io.podswitch.api.json.JsonValue.JsonNumber) JsonParser.parseObject(e.stdout()).get("code"))
                .asLong());
        assertTrue(e.stderr().startsWith("podswitch-cni: error 11"), e.stderr());
    }
}
