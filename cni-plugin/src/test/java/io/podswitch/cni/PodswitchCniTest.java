package io.podswitch.cni;

import static io.podswitch.cni.CniRunner.conf;
import static io.podswitch.cni.CniRunner.env;
import static io.podswitch.cni.CniRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.cni.CniRunner.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plugin end to end through {@code run(...)}, against a fake podswitchd on a real Unix socket. */
class PodswitchCniTest {
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

    private Map<String, String> env(String command) {
        return CniRunner.env(command, daemon.socket());
    }

    private static void assertError(Outcome o, int code) {
        assertEquals(1, o.exit(), o.stdout());
        assertEquals(code, o.code(), o.stdout());
        assertTrue(o.json().get("msg") instanceof JsonString m && !m.value().isEmpty(), o.stdout());
        assertTrue(o.json().has("cniVersion"), o.stdout());
    }

    // ---- ADD and the result formats -------------------------------------------------------------

    @Test
    void addReturns110Result() {
        Outcome o = run(env("ADD"), conf("1.1.0", "\"mtu\":1450,\"dns\":{\"nameservers\":[\"10.96.0.10\"]}"));
        assertEquals(0, o.exit(), o.stdout() + o.stderr());
        assertEquals(JsonParser.parse("""
                {
                  "cniVersion": "1.1.0",
                  "interfaces": [ { "name": "eth0", "mac": "0a:58:0a:58:00:02", "mtu": 1450, "sandbox": "/proc/self/ns/net" } ],
                  "ips": [
                    { "address": "10.88.0.2/24", "gateway": "10.88.0.1", "interface": 0 },
                    { "address": "fd00:88::2/64", "gateway": "fd00:88::1", "interface": 0 }
                  ],
                  "routes": [ { "dst": "0.0.0.0/0", "gw": "10.88.0.1" }, { "dst": "::/0", "gw": "fd00:88::1" } ],
                  "dns": { "nameservers": [ "10.96.0.10" ] }
                }"""), o.json());
        assertEquals("", o.stderr());
        JsonObject sent = daemon.last().body();
        assertEquals("/v1/cni/add", daemon.last().path());
        assertEquals(new JsonString("c0ffee01"), sent.get("containerID"));
        assertEquals(new JsonString("podnet"), sent.get("network"));
        assertEquals(new JsonString("eth0"), sent.get("ifName"));
    }

    @Test
    void addReturns100Result() {
        Outcome o = run(env("ADD"), conf("1.0.0", "\"mtu\":1450"));
        assertEquals(JsonParser.parse("""
                {
                  "cniVersion": "1.0.0",
                  "interfaces": [ { "name": "eth0", "mac": "0a:58:0a:58:00:02", "sandbox": "/proc/self/ns/net" } ],
                  "ips": [
                    { "address": "10.88.0.2/24", "gateway": "10.88.0.1", "interface": 0 },
                    { "address": "fd00:88::2/64", "gateway": "fd00:88::1", "interface": 0 }
                  ],
                  "routes": [ { "dst": "0.0.0.0/0", "gw": "10.88.0.1" }, { "dst": "::/0", "gw": "fd00:88::1" } ]
                }"""), o.json());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "0.3.1", "0.3.0"})
    void addReturnsPre1Result(String version) {
        Outcome o = run(env("ADD"), conf(version, ""));
        assertEquals(0, o.exit(), o.stdout());
        assertEquals(JsonParser.parse("""
                {
                  "cniVersion": "%s",
                  "interfaces": [ { "name": "eth0", "mac": "0a:58:0a:58:00:02", "sandbox": "/proc/self/ns/net" } ],
                  "ips": [
                    { "version": "4", "address": "10.88.0.2/24", "gateway": "10.88.0.1", "interface": 0 },
                    { "version": "6", "address": "fd00:88::2/64", "gateway": "fd00:88::1", "interface": 0 }
                  ],
                  "routes": [ { "dst": "0.0.0.0/0", "gw": "10.88.0.1" }, { "dst": "::/0", "gw": "fd00:88::1" } ]
                }""".formatted(version)), o.json());
    }

    @Test
    void chainedAddAppendsToPrevResult() {
        String prev = "\"prevResult\":{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"lo\"}],"
                + "\"ips\":[{\"version\":\"4\",\"address\":\"127.0.0.1/8\",\"interface\":0}]}";
        Outcome o = run(env("ADD"), conf("0.4.0", prev));
        assertEquals(0, o.exit(), o.stdout());
        JsonObject r = o.json();
        assertEquals(JsonParser.parse("""
                [ { "version": "4", "address": "127.0.0.1/8", "interface": 0 },
                  { "version": "4", "address": "10.88.0.2/24", "gateway": "10.88.0.1", "interface": 1 },
                  { "version": "6", "address": "fd00:88::2/64", "gateway": "fd00:88::1", "interface": 1 } ]"""),
                r.get("ips"));
    }

    // ---- static addresses and MAC: runtimeConfig, args, CNI_ARGS -------------------------------

    @Test
    void runtimeConfigMacAndIpsArePassedThrough() {
        Outcome o = run(env("ADD"), conf("1.1.0", """
                "capabilities":{"mac":true,"ips":true},
                "runtimeConfig":{"mac":"02:00:00:aa:bb:cc","ips":["10.88.0.77/24","fd00:88::77/64"],
                                 "portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}"""));
        assertEquals(0, o.exit(), o.stdout());
        JsonObject sent = daemon.last().body();
        assertEquals(new JsonString("02:00:00:aa:bb:cc"), sent.get("mac"));
        assertEquals(JsonParser.parse("[\"10.88.0.77/24\",\"fd00:88::77/64\"]"), sent.get("ips"));
        assertTrue(((JsonObject) sent.get("runtimeConfig")).has("portMappings"), "unknown capabilities forwarded");
        assertTrue(o.stdout().contains("02:00:00:aa:bb:cc"));
        assertTrue(o.stdout().contains("10.88.0.77/24"));
    }

    @Test
    void argsCniIpsAndMacAreUsedWhenNoRuntimeConfig() {
        run(env("ADD"), conf("1.0.0", "\"args\":{\"cni\":{\"ips\":[\"10.88.0.9\"],\"mac\":\"02:11:22:33:44:55\"}}"));
        JsonObject sent = daemon.last().body();
        assertEquals(new JsonString("02:11:22:33:44:55"), sent.get("mac"));
        assertEquals(JsonParser.parse("[\"10.88.0.9\"]"), sent.get("ips"));
    }

    @Test
    void runtimeConfigWinsOverArgsAndCniArgs() {
        Map<String, String> env = env("ADD");
        env.put("CNI_ARGS", "IP=10.88.0.50;MAC=02:00:00:00:00:50");
        run(env, conf("1.1.0", "\"args\":{\"cni\":{\"ips\":[\"10.88.0.40\"]}},\"runtimeConfig\":{\"ips\":[\"10.88.0.30/24\"]}"));
        JsonObject sent = daemon.last().body();
        assertEquals(JsonParser.parse("[\"10.88.0.30/24\"]"), sent.get("ips"));
        assertEquals(new JsonString("02:00:00:00:00:50"), sent.get("mac"), "MAC only given in CNI_ARGS");
    }

    @Test
    void cniArgsIpMacAndK8sIdentity() {
        Map<String, String> env = env("ADD");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;"
                + "IP=10.88.0.5,fd00:88::5;MAC=02:42:ac:11:00:05;FOO=bar");
        Outcome o = run(env, conf("1.0.0", ""));
        assertEquals(0, o.exit(), o.stdout());
        JsonObject sent = daemon.last().body();
        assertEquals(JsonParser.parse("[\"10.88.0.5\",\"fd00:88::5\"]"), sent.get("ips"));
        assertEquals(new JsonString("02:42:ac:11:00:05"), sent.get("mac"));
        assertEquals(JsonParser.parse("{\"K8S_POD_NAMESPACE\":\"default\",\"K8S_POD_NAME\":\"web-0\"}"),
                sent.get("args"));
    }

    @Test
    void cniArgsUnknownKeyWithoutIgnoreUnknownIsError4() {
        Map<String, String> env = env("ADD");
        env.put("CNI_ARGS", "K8S_POD_NAME=web-0;FOO=bar");
        Outcome o = run(env, conf("1.0.0", ""));
        assertError(o, 4);
        assertTrue(o.json().get("details").toString().contains("FOO"), o.stdout());
        assertTrue(daemon.received().isEmpty(), "nothing sent to the daemon");
    }

    @Test
    void cniArgsBadIpIsError4() {
        Map<String, String> env = env("ADD");
        env.put("CNI_ARGS", "IP=10.88.0.300");
        assertError(run(env, conf("1.0.0", "")), 4);
    }

    @Test
    void invalidRuntimeConfigMacIsError7() {
        Outcome o = run(env("ADD"), conf("1.0.0", "\"runtimeConfig\":{\"mac\":\"01:00:5e:00:00:01\"}"));
        assertError(o, 7);
        assertTrue(o.stdout().contains("runtimeConfig.mac"), o.stdout());
    }

    // ---- DEL ------------------------------------------------------------------------------------

    @Test
    void delIsIdempotent() {
        assertEquals(0, run(env("ADD"), conf("1.0.0", "")).exit());
        assertEquals(1, daemon.attachments().size());
        Outcome first = run(env("DEL"), conf("1.0.0", ""));
        assertEquals(0, first.exit(), first.stdout());
        assertEquals("", first.stdout());
        assertTrue(daemon.attachments().isEmpty());
        Outcome second = run(env("DEL"), conf("1.0.0", ""));
        assertEquals(0, second.exit(), "unknown attachment (code 3) is success: " + second.stdout());
        assertEquals("", second.stdout());
    }

    @Test
    void delWithGoneNetnsSendsEmptyNetnsAndSucceeds() {
        run(env("ADD"), conf("1.0.0", ""));
        Map<String, String> env = env("DEL");
        env.put("CNI_NETNS", dir.resolve("gone-netns").toString());
        Outcome o = run(env, conf("1.0.0", ""));
        assertEquals(0, o.exit(), o.stdout());
        assertEquals(new JsonString(""), daemon.last().body().get("netns"));
    }

    @Test
    void delWithoutNetnsAndWithGarbledPrevResultSucceeds() {
        Map<String, String> env = env("DEL");
        env.remove("CNI_NETNS");
        Outcome o = run(env, conf("0.4.0", "\"prevResult\":{\"ips\":[{\"address\":42}]}"));
        assertEquals(0, o.exit(), o.stdout());
        assertFalse(daemon.last().body().has("prevResult"));
    }

    @Test
    void delWhenDaemonDownIsError11() throws IOException {
        daemon.close();
        assertError(run(env("DEL"), conf("1.0.0", "")), 11);
    }

    // ---- CHECK ----------------------------------------------------------------------------------

    @Test
    void checkPassesWithTheAddResultAndFailsWithAnother() {
        Outcome add = run(env("ADD"), conf("1.0.0", ""));
        String prev = "\"prevResult\":" + JsonWriter.write(add.json());
        Outcome ok = run(env("CHECK"), conf("1.0.0", prev));
        assertEquals(0, ok.exit(), ok.stdout());
        assertEquals("", ok.stdout());
        String wrong = prev.replace("10.88.0.2/24", "10.88.0.99/24");
        assertError(run(env("CHECK"), conf("1.0.0", wrong)), 102);
    }

    @Test
    void checkWithoutPrevResultIsError7() {
        assertError(run(env("CHECK"), conf("1.0.0", "")), 7);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.3.0", "0.3.1"})
    void checkIsNotInPre040(String version) {
        Outcome o = run(env("CHECK"), conf(version, ""));
        assertError(o, 1);
        assertEquals(new JsonString(version), o.json().get("cniVersion"));
    }

    // ---- STATUS and GC --------------------------------------------------------------------------

    @Test
    void statusOkPrintsNothing() {
        Outcome o = run(Map.of("CNI_COMMAND", "STATUS", "PODSWITCH_SOCKET", daemon.socket().toString()),
                conf("1.1.0", ""));
        assertEquals(0, o.exit(), o.stdout());
        assertEquals("", o.stdout());
        assertEquals("/v1/cni/status", daemon.last().path());
    }

    @Test
    void statusPassesDaemonCode50() {
        daemon.mode(FakeDaemon.Mode.FAIL_STATUS_50);
        assertError(run(env("STATUS"), conf("1.1.0", "")), 50);
    }

    @Test
    void statusWhenDaemonDownIs51() throws IOException {
        daemon.close();
        assertError(run(env("STATUS"), conf("1.1.0", "")), 51);
    }

    @ParameterizedTest
    @ValueSource(strings = {"STATUS", "GC"})
    void statusAndGcNeed110(String command) {
        assertError(run(env(command), conf("1.0.0", "")), 1);
    }

    @Test
    void gcSendsValidAttachments() {
        Map<String, String> a = env("ADD");
        run(a, conf("1.1.0", ""));
        a.put("CNI_CONTAINERID", "stale0001");
        run(a, conf("1.1.0", ""));
        assertEquals(2, daemon.attachments().size());
        Outcome o = run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin",
                "PODSWITCH_SOCKET", daemon.socket().toString()), conf("1.1.0",
                "\"cni.dev/valid-attachments\":[{\"containerID\":\"c0ffee01\",\"ifname\":\"eth0\"}]"));
        assertEquals(0, o.exit(), o.stdout());
        assertEquals("", o.stdout());
        assertEquals(JsonParser.parse("[{\"containerID\":\"c0ffee01\",\"ifName\":\"eth0\"}]"),
                daemon.last().body().get("validAttachments"));
        assertEquals(java.util.Set.of("c0ffee01/eth0"), daemon.attachments().keySet());
    }

    @Test
    void gcWithoutValidAttachmentsIsRefused() {
        assertError(run(env("GC"), conf("1.1.0", "")), 7);
        assertTrue(daemon.received().isEmpty());
    }

    // ---- VERSION --------------------------------------------------------------------------------

    @Test
    void versionAnswersWithoutDaemon() throws IOException {
        daemon.close();
        Outcome o = run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
        assertEquals(0, o.exit());
        assertEquals(JsonParser.parse("""
                {"cniVersion":"1.0.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}"""), o.json());
        Outcome empty = run(Map.of("CNI_COMMAND", "VERSION"), "");
        assertEquals(new JsonString("1.1.0"), empty.json().get("cniVersion"));
        assertError(run(Map.of("CNI_COMMAND", "VERSION"), "{nope"), 6);
    }

    // ---- error paths ----------------------------------------------------------------------------

    @Test
    void malformedJsonIsError6WithPosition() {
        Outcome o = run(env("ADD"), "{\"cniVersion\":\"1.0.0\",\n \"name\": podnet}");
        assertError(o, 6);
        assertTrue(o.stdout().contains("line 2, column 10"), o.stdout());
        assertError(run(env("ADD"), ""), 6);
        assertError(run(env("ADD"), "[1,2]"), 6);
        assertError(run(env("ADD"), "{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"name\":\"b\",\"type\":\"x\"}"), 6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.2.0", "0.1.0", "2.0.0", "1.0", "banana"})
    void unsupportedVersionIsError1(String version) {
        Outcome o = run(env("ADD"), conf(version, ""));
        assertError(o, 1);
        assertTrue(o.stdout().contains("1.1.0"), "details list supported versions: " + o.stdout());
    }

    @Test
    void missingOrNonStringVersionIsError7() {
        assertError(run(env("ADD"), "{\"name\":\"podnet\",\"type\":\"podswitch\"}"), 7);
        assertError(run(env("ADD"), "{\"cniVersion\":1,\"name\":\"podnet\",\"type\":\"podswitch\"}"), 7);
    }

    @ParameterizedTest
    @ValueSource(strings = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"})
    void missingEnvironmentIsError4(String variable) {
        Map<String, String> env = env("ADD");
        env.remove(variable);
        Outcome o = run(env, conf("1.0.0", ""));
        assertError(o, 4);
        assertTrue(o.stdout().contains(variable), o.stdout());
        assertTrue(daemon.received().isEmpty());
    }

    @Test
    void invalidEnvironmentValuesAreError4() {
        Map<String, String> env = env("ADD");
        env.put("CNI_COMMAND", "ATTACH");
        assertError(run(env, conf("1.0.0", "")), 4);
        env = env("ADD");
        env.put("CNI_IFNAME", "this-name-is-too-long");
        assertError(run(env, conf("1.0.0", "")), 4);
        env = env("ADD");
        env.put("CNI_CONTAINERID", "-bad id");
        assertError(run(env, conf("1.0.0", "")), 4);
    }

    @Test
    void invalidConfigIsError7() {
        assertError(run(env("ADD"), "{\"cniVersion\":\"1.0.0\",\"type\":\"podswitch\"}"), 7);
        assertError(run(env("ADD"), "{\"cniVersion\":\"1.0.0\",\"name\":\"pod net\",\"type\":\"podswitch\"}"), 7);
        assertError(run(env("ADD"), conf("1.0.0", "\"mtu\":20")), 7);
        assertError(run(env("ADD"), conf("1.0.0", "\"mtu\":\"1500\"")), 7);
        assertError(run(env("ADD"), conf("1.0.0", "\"timeoutSeconds\":0")), 7);
        assertError(run(env("ADD"), conf("1.0.0", "\"socket\":\"relative.sock\"")), 7);
        assertError(run(env("ADD"), conf("1.0.0", "\"dns\":{\"nameservers\":[\"dns.example\"]}")), 7);
        assertError(run(env("ADD"), conf("1.0.0", "\"capabilities\":{\"mac\":\"yes\"}")), 7);
        Outcome o = run(env("ADD"), conf("1.0.0", "\"mtu\":20"));
        assertTrue(o.stdout().contains("\\\"mtu\\\""), "details name the key: " + o.stdout());
        assertTrue(daemon.received().isEmpty());
    }

    @Test
    void delegatedIpamIsUnsupportedField2() {
        Outcome o = run(env("ADD"), conf("1.0.0", "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.1.0.0/16\"}"));
        assertError(o, 2);
        assertTrue(o.stdout().contains("host-local"), "the error names key and value: " + o.stdout());
    }

    @Test
    void daemonDownIsError11Fast() throws IOException {
        daemon.close();
        Outcome o = run(env("ADD"), conf("1.0.0", ""));
        assertError(o, 11);
        assertTrue(o.elapsedMillis() < 2_000, "took " + o.elapsedMillis() + " ms");
    }

    @Test
    void daemonSocketNotASocketIsError11() throws IOException {
        Path plain = Files.writeString(dir.resolve("not-a-socket"), "x");
        Map<String, String> env = env("ADD");
        env.put("PODSWITCH_SOCKET", plain.toString());
        assertError(run(env, conf("1.0.0", "")), 11);
    }

    @Test
    void daemonHangingIsError11AfterTheDeadline() {
        daemon.mode(FakeDaemon.Mode.HANG);
        Outcome o = run(env("ADD"), conf("1.0.0", "\"timeoutSeconds\":1"));
        assertError(o, 11);
        assertTrue(o.elapsedMillis() >= 900 && o.elapsedMillis() < 3_000, "took " + o.elapsedMillis() + " ms");
        assertTrue(o.stdout().contains("timeoutSeconds"), o.stdout());
    }

    @Test
    void daemonBusyIsError11AndGarbageIsError5() {
        daemon.mode(FakeDaemon.Mode.BUSY);
        assertError(run(env("ADD"), conf("1.0.0", "")), 11);
        daemon.mode(FakeDaemon.Mode.GARBAGE);
        assertError(run(env("ADD"), conf("1.0.0", "")), 5);
    }

    /** A daemon killed after reading the request (kill -9 mid-ADD): try again later, not "malformed". */
    @Test
    void daemonDyingBeforeItAnswersIsError11() {
        daemon.mode(FakeDaemon.Mode.DIE);
        for (String command : List.of("ADD", "DEL")) {
            Outcome o = run(env(command), conf("1.0.0", ""));
            assertError(o, 11);
            assertTrue(o.stdout().contains("closed before the answer was complete"), o.stdout());
        }
    }

    @Test
    void socketFromNetconfIsUsedWithoutEnvOverride() {
        Map<String, String> env = env("ADD");
        env.remove("PODSWITCH_SOCKET");
        Outcome o = run(env, conf("1.0.0", "\"socket\":\"" + daemon.socket() + "\""));
        assertEquals(0, o.exit(), o.stdout());
    }

    @Test
    void debugLogGetsOneLinePerInvocationAndStdoutOnlyTheResult() throws IOException {
        Path log = dir.resolve("cni.log");
        String extra = "\"debugLogFile\":\"" + log + "\"";
        Outcome ok = run(env("ADD"), conf("1.0.0", extra));
        Outcome bad = run(env("CHECK"), conf("1.0.0", extra));
        assertEquals(0, ok.exit());
        assertEquals(1, bad.exit());
        var lines = Files.readAllLines(log);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("ADD c0ffee01 eth0 ok"), lines.get(0));
        assertTrue(lines.get(1).contains("error 7"), lines.get(1));
        assertNull(JsonParser.parseObject(ok.stdout()).get("code"));
    }
}
