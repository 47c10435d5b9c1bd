package io.podswitch.daemon.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.ApiError;
import io.podswitch.api.Attachment;
import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniResult;
import io.podswitch.api.GcRequest;
import io.podswitch.api.ResultDns;
import io.podswitch.api.ResultInterface;
import io.podswitch.api.ResultIp;
import io.podswitch.api.ResultRoute;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.cni.PodswitchCni;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.pod.ApiException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon ⇄ plugin contract: the plugin keeps its own hand-written JSON (start time), the daemon
 * reads and writes the same protocol with Jackson. The requests the plugin builds and sends — its own
 * code, {@link PodswitchCni#run} as a runtime drives it — reach the daemon's real control API over its
 * socket and arrive intact; the daemon's answers (results and errors) are parsed by the plugin.
 */
class CniContractTest {
    @TempDir
    Path dir;

    private ControlThread control;
    private ControlServer server;
    private final Recorder recorder = new Recorder();

    private static final CniResult RESULT = new CniResult(
            List.of(new ResultInterface("eth0", "0a:58:0a:f4:01:05", 1450, "/proc/self/ns/net", null, null)),
            List.of(new ResultIp("10.244.1.5/24", "10.244.1.1", 0), new ResultIp("fd00:10:244:1::5/64", "fd00:10:244:1::1", 0)),
            List.of(ResultRoute.of("0.0.0.0/0", "10.244.1.1"), new ResultRoute("::/0", "fd00:10:244:1::1", 1400, -1, 10, -1, -1)),
            new ResultDns(List.of("10.96.0.10"), "cluster.local", List.of("default.svc.cluster.local"), List.of("ndots:5")));

    /** The daemon's CNI side, recording what the API handed it. */
    private static final class Recorder implements CniOperations {
        volatile AttachmentRequest attachment;
        volatile GcRequest gc;
        volatile String last;
        volatile ApiException failure;

        private void seen(String operation, AttachmentRequest request) throws ApiException {
            last = operation;
            attachment = request;
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public CniResult add(AttachmentRequest request) throws ApiException {
            seen("add", request);
            return RESULT;
        }

        @Override
        public void del(AttachmentRequest request) throws ApiException {
            seen("del", request);
        }

        @Override
        public void check(AttachmentRequest request) throws ApiException {
            seen("check", request);
        }

        @Override
        public void status() throws ApiException {
            seen("status", null);
        }

        @Override
        public void gc(GcRequest request) throws ApiException {
            gc = request;
            seen("gc", null);
        }
    }

    @BeforeEach
    void start() throws Exception {
        control = new ControlThread();
        server = ControlServer.start(dir.resolve("d.sock"), new ControlApi(control, recorder, null, null, null, null));
    }

    @AfterEach
    void stop() {
        server.close();
        control.close();
    }

    private record Outcome(int exit, String stdout) {
        JsonObject json() {
            return JsonParser.parseObject(stdout);
        }
    }

    private Outcome plugin(String command, String extraEnv, String conf) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "3f2a9c0d1e");
        env.put("CNI_NETNS", "/proc/self/ns/net");
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/opt/cni/bin");
        env.put("CNI_ARGS", extraEnv);
        env.put("PODSWITCH_SOCKET", server.socket().toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = PodswitchCni.run(env, new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8));
    }

    private static String conf(String extra) {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"podnet\",\"type\":\"podswitch\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    @Test
    void addFromThePluginArrivesIntactAndItsResultIsParsedByThePlugin() {
        Outcome o = plugin("ADD", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0",
                conf("\"mtu\":1450,\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"search\":[\"svc.cluster.local\"]},"
                        + "\"capabilities\":{\"mac\":true,\"ips\":true},"
                        + "\"runtimeConfig\":{\"mac\":\"02:11:22:33:44:55\",\"ips\":[\"10.244.1.77/24\"]}"));
        assertEquals(0, o.exit(), o.stdout());
        AttachmentRequest got = recorder.attachment;
        assertEquals("add", recorder.last);
        assertEquals("1.1.0", got.cniVersion());
        assertEquals("podnet", got.network());
        assertEquals(new Attachment("3f2a9c0d1e", "eth0"), got.attachment());
        assertEquals("/proc/self/ns/net", got.netns());
        assertEquals(1450, got.mtu());
        assertEquals("02:11:22:33:44:55", got.mac());
        assertEquals(List.of("10.244.1.77/24"), got.ips());
        assertEquals("default", got.args().get("K8S_POD_NAMESPACE"));
        assertEquals("web-0", got.args().get("K8S_POD_NAME"));
        assertEquals(List.of("10.96.0.10"), got.dns().nameservers());
        assertEquals(List.of("svc.cluster.local"), got.dns().search());
        assertNull(got.prevResult());

        // The plugin parsed the daemon's answer and printed it in the runtime's version.
        JsonObject printed = o.json();
        assertEquals(new JsonValue.JsonString("1.1.0"), printed.get("cniVersion"));
        CniResult back = CniResult.fromJson(new ObjectReader(printed, ""));
        assertEquals(RESULT, back);
    }

    @Test
    void checkDelStatusAndGcFromThePluginAreAccepted() {
        String prev = "\"prevResult\":" + JsonWriter.write(RESULT.toJson());
        assertEquals(0, plugin("CHECK", "", conf(prev)).exit());
        assertEquals("check", recorder.last);
        assertEquals(RESULT, recorder.attachment.prevResult(), "prevResult crosses unchanged, extended route members too");

        assertEquals(0, plugin("DEL", "", conf(prev)).exit());
        assertEquals("del", recorder.last);
        assertEquals(new Attachment("3f2a9c0d1e", "eth0"), recorder.attachment.attachment());

        assertEquals(0, plugin("STATUS", "", conf("")).exit());
        assertEquals("status", recorder.last);

        assertEquals(0, plugin("GC", "", conf("\"cni.dev/valid-attachments\":[{\"containerID\":\"a1\",\"ifname\":\"eth0\"},"
                + "{\"containerID\":\"b2\",\"ifname\":\"net1\"}]")).exit());
        assertEquals("gc", recorder.last);
        assertEquals(List.of(new Attachment("a1", "eth0"), new Attachment("b2", "net1")), recorder.gc.validAttachments());
        assertEquals("podnet", recorder.gc.network());
    }

    @Test
    void theDaemonsErrorsReachTheRuntimeWithTheirCode() {
        recorder.failure = new ApiException(ApiError.ADDRESS_EXHAUSTED, "no free address", "10.244.1.0/24 is full");
        Outcome o = plugin("ADD", "", conf(""));
        assertEquals(1, o.exit());
        assertEquals(new JsonValue.JsonNumber("100"), o.json().get("code"));
        assertEquals(new JsonValue.JsonString("no free address"), o.json().get("msg"));
        assertEquals(new JsonValue.JsonString("10.244.1.0/24 is full"), o.json().get("details"));
    }

    /** Codec level, every member: what the plugin writes, the daemon reads to the same request. */
    @Test
    void everyMemberThePluginWritesTheDaemonReads() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("K8S_POD_NAMESPACE", "default");
        args.put("K8S_POD_NAME", "web-0");
        AttachmentRequest sent = new AttachmentRequest("1.0.0", "podnet", "3f2a", "/var/run/netns/x", "eth0", 9000,
                "02:00:00:00:00:01", List.of("10.244.1.9", "fd00::9/64"), args, null, RESULT.dns(), RESULT, null);
        AttachmentRequest read = CniJson.attachmentRequest(JsonCodec.tree(
                JsonWriter.write(sent.toJson()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(sent, read);

        GcRequest gc = new GcRequest("1.1.0", "podnet", List.of(new Attachment("a", "eth0")), null);
        assertEquals(gc, CniJson.gcRequest(JsonCodec.tree(JsonWriter.write(gc.toJson()).getBytes(StandardCharsets.UTF_8))));
    }

    /** Codec level: the daemon's result, read by the plugin's reader, is the same result; and the same bytes' meaning. */
    @Test
    void theDaemonsResultIsThePluginsResult() {
        byte[] daemon = JsonCodec.bytes(CniJson.result(RESULT));
        assertEquals(RESULT, CniResult.fromJson(ObjectReader.of(JsonParser.parse(daemon), "")));
        assertEquals(RESULT.toJson(), JsonParser.parse(daemon), "same members as the plugin's own writer");
        CniResult minimal = new CniResult(List.of(new ResultInterface("eth0", null, -1, "", null, null)),
                List.of(new ResultIp("10.0.0.2/24", null, -1)), List.of(), ResultDns.EMPTY);
        assertEquals(minimal.toJson(), JsonParser.parse(JsonCodec.bytes(CniJson.result(minimal))),
                "absent members stay absent");
    }

    /** Bodies the plugin never sends: a clear 400 with the protocol's codes, never a crash. */
    @Test
    void malformedAndMisshapenBodiesAreClear400s() throws Exception {
        for (String body : List.of("", "{", "[1,", "{\"a\":1} {", "nul", "{\"cniVersion\":\"1.1.0\",}", "\"\\u12\"")) {
            HttpResponse r = post("/v1/cni/add", body);
            assertEquals(400, r.status(), body);
            assertTrue(r.bodyText().contains("\"code\":6"), body + " → " + r.bodyText());
        }
        String valid = "\"cniVersion\":\"1.1.0\",\"network\":\"podnet\",\"containerID\":\"c\",\"ifName\":\"eth0\"";
        for (String body : List.of("[]", "null", "42", "{}", "{\"cniVersion\":1}", "{" + valid + ",\"mtu\":\"1500\"}",
                "{" + valid + ",\"mtu\":1500.5}", "{" + valid + ",\"mtu\":70000}", "{" + valid + ",\"ips\":[null]}",
                "{" + valid + ",\"ips\":\"10.0.0.1\"}", "{" + valid + ",\"args\":{\"K8S_POD_NAME\":5}}",
                "{" + valid + ",\"args\":{\"K8S_POD_NAME\":null}}", "{" + valid + ",\"runtimeConfig\":[]}",
                "{" + valid + ",\"dns\":{\"nameservers\":[1]}}", "{" + valid + ",\"prevResult\":{\"ips\":[{\"address\":42}]}}",
                "{" + valid + ",\"prevResult\":{\"ips\":[{\"address\":\"10.0.0.1/24\",\"interface\":3}]}}",
                "{" + valid + ",\"prevResult\":{\"routes\":[null]}}", "{" + valid.replace("\"c\"", "\"\"") + "}",
                "{" + valid + ",\"mtu\":99999999999999999999999}", "{" + valid.replace("\"podnet\"", "5") + "}",
                "{" + valid.replace("\"podnet\"", "true") + "}", "{" + valid.replace("\"podnet\"", "1.5") + "}",
                "{" + valid + ",\"mac\":{}}")) {
            HttpResponse r = post("/v1/cni/add", body);
            assertEquals(400, r.status(), body + " → " + r.bodyText());
            assertTrue(r.bodyText().contains("\"code\":7"), body + " → " + r.bodyText());
        }
        HttpResponse r = post("/v1/cni/gc", "{\"cniVersion\":\"1.1.0\",\"network\":\"podnet\"}");
        assertTrue(r.bodyText().contains("validAttachments"), r.bodyText());
        r = post("/v1/cni/add", "{" + valid + ",\"prevResult\":{\"ips\":[{\"address\":\"10.0.0.1/24\",\"gateway\":7}]}}");
        assertTrue(r.bodyText().contains("prevResult.ips[0].gateway"), "the message names the member: " + r.bodyText());
        assertNull(recorder.last, "nothing malformed reached the operations");
    }

    private HttpResponse post(String path, String body) throws Exception {
        return new UnixHttpClient(server.socket(), TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                .exchange(HttpRequest.postJson(path, body), System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }
}
