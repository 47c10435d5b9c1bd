package io.podswitch.daemon.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.Attachment;
import io.podswitch.daemon.ipam.IpAddresses;
import io.podswitch.daemon.json.JsonCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodStoreTest {
    @TempDir
    Path dir;

    private static PodRecord record(String id) {
        return new PodRecord("podnet", new Attachment(id, "eth0"), "/var/run/netns/" + id, 0x0a5800000001L, 1450,
                List.of(IpAddresses.parse("10.244.1.5"), IpAddresses.parse("fd00:10:244:1::5")), "2026-11-26T12:00:00Z",
                id.endsWith("1") ? "" : "default/" + id);
    }

    @Test
    void recordsSurviveARestart() throws IOException {
        Path file = dir.resolve("pods.json");
        PodStore store = new PodStore(file);
        store.put(record("a"));
        store.put(record("b"));
        assertTrue(store.remove(new Attachment("a", "eth0")));
        assertFalse(store.remove(new Attachment("a", "eth0")));
        PodStore again = new PodStore(file);
        assertEquals(List.of(record("b")), again.all());
        assertFalse(Files.exists(dir.resolve("pods.json.tmp")));
    }

    /**
     * pods.json as the hand-written JSON writer left it (checked in, written by that code before the
     * move to Jackson): a daemon upgraded over it recovers every pod, and rewriting the same pods
     * gives the same document (member order and indentation aside).
     */
    @Test
    void aFileWrittenBeforeTheMoveToJacksonIsRecovered() throws IOException {
        Path file = dir.resolve("pods.json");
        try (var old = PodStoreTest.class.getResourceAsStream("pods-v1.json")) {
            Files.write(file, old.readAllBytes());
        }
        byte[] before = Files.readAllBytes(file);
        PodStore store = new PodStore(file);
        PodRecord web = new PodRecord("podnet", new Attachment("3f2a9c0d1e", "eth0"), "/var/run/netns/cni-3f2a",
                0x0a580af40105L, 1450, List.of(IpAddresses.parse("10.244.1.5"), IpAddresses.parse("fd00:10:244:1::5")),
                "2026-11-26T12:00:00Z", "default/web-0");
        PodRecord unnamed = new PodRecord("podnet", new Attachment("77bc01", "net1"), "/var/run/netns/cni-77bc",
                0x0a580af40106L, 9000, List.of(IpAddresses.parse("10.244.1.6")), "2026-11-26T12:01:30.123456Z", "");
        assertEquals(List.of(web, unnamed), store.all());

        store.put(web); // rewrites the whole file with the new writer
        assertEquals(JsonCodec.tree(before), JsonCodec.tree(Files.readAllBytes(file)));
        assertEquals(List.of(web, unnamed), new PodStore(file).all());
    }

    @Test
    void malformedFileIsReportedWithItsName() throws IOException {
        Path file = dir.resolve("pods.json");
        for (String bad : List.of("{", "{\"version\":2,\"pods\":[]}", "{\"version\":1,\"pods\":[{\"network\":\"n\"}]}",
                "{\"version\":1,\"pods\":[{\"network\":\"n\",\"containerID\":\"c\",\"ifName\":\"e\",\"netns\":\"/x\","
                        + "\"mac\":\"zz\",\"createdAt\":\"t\"}]}",
                "", "[]", "null", "{\"version\":\"1\",\"pods\":[]}", "{\"pods\":[]}", "{\"version\":1,\"pods\":[null]}",
                "{\"version\":1,\"pods\":{}}", "{\"version\":1,\"pods\":[]} trailing",
                "{\"version\":1,\"pods\":[{\"network\":\"n\",\"containerID\":\"c\",\"ifName\":\"e\",\"netns\":\"/x\","
                        + "\"mac\":\"0a:58:00:00:00:01\",\"mtu\":1e9,\"createdAt\":\"t\"}]}",
                "{\"version\":1,\"pods\":[{\"network\":\"n\",\"containerID\":\"c\",\"ifName\":\"e\",\"netns\":\"/x\","
                        + "\"mac\":\"0a:58:00:00:00:01\",\"mtu\":\"1500\",\"createdAt\":\"t\"}]}")) {
            Files.writeString(file, bad);
            IOException e = assertThrows(IOException.class, () -> new PodStore(file), bad);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void macsAreStableUnicastAndLocallyAdministered() {
        long mac = PodMacs.derive("3f2a9c", "eth0");
        assertEquals(mac, PodMacs.derive("3f2a9c", "eth0"));
        assertNotEquals(mac, PodMacs.derive("3f2a9c", "eth1"));
        for (int i = 0; i < 1000; i++) {
            long m = PodMacs.derive("c" + i, "eth0");
            assertEquals(0, (m >>> 40) & 1, "unicast");
            assertEquals(2, (m >>> 40) & 2, "locally administered");
            assertEquals(0, m >>> 48);
        }
    }
}
