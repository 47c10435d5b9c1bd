package io.podswitch.daemon.pod;

import io.podswitch.api.Attachment;
import io.podswitch.api.json.JsonParseException;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonShapeException;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.daemon.store.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable registry of wired pods, one JSON file replaced atomically ({@link AtomicFile}: fsync,
 * rename, directory fsync) on every change, before the change is acknowledged:
 *
 * <pre>
 * {"version": 1, "pods": [
 *   {"network": "podnet", "containerID": "3f2a…", "ifName": "eth0", "netns": "/var/run/netns/cni-1",
 *    "mac": "0a:58:…", "mtu": 1450, "addresses": ["10.244.1.5", "fd00:10:244:1::5"],
 *    "portName": "eth0", "createdAt": "2026-11-26T12:00:00Z"}, …]}
 * </pre>
 *
 * A restarted daemon reads it to re-attach every pod's persistent TAP. In-memory state changes only
 * after the write succeeded. Control thread only.
 */
public final class PodStore {
    private static final int VERSION = 1;
    private final Path file;
    private final Map<Attachment, PodRecord> records = new LinkedHashMap<>();

    /** Reads the file if it exists. @throws IOException naming the file when it is unreadable or malformed */
    public PodStore(Path file) throws IOException {
        this.file = file;
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return;
        }
        try {
            ObjectReader root = ObjectReader.of(JsonParser.parse(text), "");
            long version = root.optionalLong("version", 1, 1, -1);
            if (version != VERSION) {
                throw new IOException(file + ": unsupported version (expected " + VERSION + ")");
            }
            for (ObjectReader pod : root.optionalObjectList("pods")) {
                PodRecord r = PodRecord.fromJson(pod);
                records.put(r.attachment(), r);
            }
        } catch (JsonParseException | JsonShapeException | IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public PodRecord get(Attachment attachment) {
        return records.get(attachment);
    }

    public List<PodRecord> all() {
        return List.copyOf(records.values());
    }

    public void put(PodRecord record) throws IOException {
        Map<Attachment, PodRecord> next = new LinkedHashMap<>(records);
        next.put(record.attachment(), record);
        write(next);
        records.put(record.attachment(), record);
    }

    /** @return false when there was no such record (nothing written) */
    public boolean remove(Attachment attachment) throws IOException {
        if (!records.containsKey(attachment)) {
            return false;
        }
        Map<Attachment, PodRecord> next = new LinkedHashMap<>(records);
        next.remove(attachment);
        write(next);
        records.remove(attachment);
        return true;
    }

    private void write(Map<Attachment, PodRecord> content) throws IOException {
        List<JsonValue> pods = new ArrayList<>();
        for (PodRecord r : content.values()) {
            pods.add(r.toJson());
        }
        JsonObject root = new ObjectBuilder().put("version", VERSION).put("pods", new JsonValue.JsonArray(pods)).build();
        AtomicFile.write(file, JsonWriter.writePretty(root) + "\n");
    }
}
