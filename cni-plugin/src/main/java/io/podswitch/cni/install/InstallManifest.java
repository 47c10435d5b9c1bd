package io.podswitch.cni.install;

import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What install-cni put where ({@code <plugin-dir>/installed.json}): each installed file by role with
 * the SHA-256 of what was written, so that a later install can replace or rename exactly its own
 * files and {@code --uninstall} removes them — and nothing another CNI or an operator wrote.
 *
 * <pre>
 * {"files": {"launcher": {"path": "/opt/cni/bin/podswitch-cni", "sha256": "…"}, "conflist": {…}, "jar": {…},
 *            "aot-cache": {"path": "…", "sha256": "&lt;fingerprint of jar + java + flags&gt;"}, "java": {…}}}
 * </pre>
 */
final class InstallManifest {
    static final String FILE_NAME = "installed.json";
    static final String LAUNCHER = "launcher";
    static final String CONFLIST = "conflist";
    static final String JAR = "jar";
    static final String AOT_CACHE = "aot-cache";
    static final String JAVA = "java";

    /** One installed thing: where, and the digest that identifies what install-cni wrote there. */
    record Entry(Path path, String sha256) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    static Path location(Path pluginDir) {
        return pluginDir.resolve(FILE_NAME);
    }

    /** The manifest in {@code pluginDir}, or an empty one (first install, or an unreadable file). */
    static InstallManifest read(Path pluginDir) {
        InstallManifest m = new InstallManifest();
        Path file = location(pluginDir);
        if (!Files.isRegularFile(file)) {
            return m;
        }
        try {
            ObjectReader files = ObjectReader.of(JsonParser.parse(Files.readAllBytes(file)), "").optionalObject("files");
            for (String role : files.object().members().keySet()) {
                ObjectReader e = files.optionalObject(role);
                m.entries.put(role, new Entry(Path.of(e.requiredString("path")), e.requiredString("sha256")));
            }
        } catch (IOException | RuntimeException e) {
            // A damaged manifest only means we forget what we installed: nothing is removed on its word.
            m.entries.clear();
        }
        return m;
    }

    Entry get(String role) {
        return entries.get(role);
    }

    void put(String role, Path path, String sha256) {
        entries.put(role, new Entry(path, sha256));
    }

    void remove(String role) {
        entries.remove(role);
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    void write(Path pluginDir) throws IOException {
        ObjectBuilder files = new ObjectBuilder();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            files.put(e.getKey(), new ObjectBuilder().put("path", e.getValue().path().toString())
                    .put("sha256", e.getValue().sha256()).build());
        }
        JsonObject root = new ObjectBuilder().put("installedBy", "podswitch install-cni").put("files", files.build()).build();
        AtomicFiles.write(location(pluginDir), (JsonWriter.writePretty(root) + "\n").getBytes(StandardCharsets.UTF_8),
                AtomicFiles.READABLE);
    }
}
