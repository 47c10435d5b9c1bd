package io.podswitch.daemon.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.Attachment;
import io.podswitch.daemon.ipam.IpAddresses;
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

    @Test
    void malformedFileIsReportedWithItsName() throws IOException {
        Path file = dir.resolve("pods.json");
        for (String bad : List.of("{", "{\"version\":2,\"pods\":[]}", "{\"version\":1,\"pods\":[{\"network\":\"n\"}]}",
                "{\"version\":1,\"pods\":[{\"network\":\"n\",\"containerID\":\"c\",\"ifName\":\"e\",\"netns\":\"/x\","
                        + "\"mac\":\"zz\",\"createdAt\":\"t\"}]}")) {
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
