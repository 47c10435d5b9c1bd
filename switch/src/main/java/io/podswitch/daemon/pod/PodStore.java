package io.podswitch.daemon.pod;

import io.podswitch.api.Attachment;
import io.podswitch.daemon.json.JsonCodec;
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
        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        }
        try {
            Document document = JsonCodec.read(text, Document.class);
            if (document.version() == null || document.version() != VERSION) {
                throw new IOException(file + ": unsupported version (expected " + VERSION + ")");
            }
            List<PodRecordJson> pods = JsonCodec.list(document.pods());
            for (int i = 0; i < pods.size(); i++) {
                if (pods.get(i) == null) {
                    throw new JsonCodec.Shape("\"pods[" + i + "]\": expected object, got null");
                }
                PodRecord r = pods.get(i).toRecord("pods[" + i + "]");
                records.put(r.attachment(), r);
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The file's shape. */
    record Document(Long version, List<PodRecordJson> pods) {
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
        List<PodRecordJson> pods = new ArrayList<>();
        for (PodRecord r : content.values()) {
            pods.add(PodRecordJson.of(r));
        }
        AtomicFile.write(file, JsonCodec.pretty(new Document((long) VERSION, pods)) + "\n");
    }
}
