package io.podswitch.cni.install;

import io.podswitch.api.json.JsonParseException;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.cni.CniEnvironment;
import io.podswitch.cni.CniVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network configuration list to install, checked as a runtime and the plugin will read it:
 * valid JSON, a network {@code name}, a {@code cniVersion} (and {@code cniVersions}) the plugin
 * speaks, a {@code plugins} list with a {@code podswitch-cni} entry that has no {@code ipam}.
 * The bytes are installed as given unless {@link #withSocket} changed the plugin's socket.
 */
record Conflist(String name, String cniVersion, List<String> cniVersions, List<String> pluginTypes, byte[] bytes) {
    static final String PLUGIN_TYPE = "podswitch-cni";
    /** The newest version libcni before v1.2 accepts in results (containerd 1.6/1.7, CRI-O ≤ 1.30, podman 4). */
    static final String WIDELY_ACCEPTED = CniVersion.V1_0_0.text();

    /**
     * @param source names the file in error messages
     * @throws InstallException (exit code 2) naming the source, and the position or member at fault
     */
    static Conflist parse(byte[] bytes, String source) throws InstallException {
        JsonValue value;
        try {
            value = JsonParser.parse(bytes);
        } catch (JsonParseException e) {
            throw invalid(source, e.getMessage());
        }
        if (!(value instanceof JsonObject root)) {
            throw invalid(source, "expected a JSON object, got " + value.kindName());
        }
        String name = string(root, "name", source);
        if (!CniEnvironment.isValidContainerId(name)) {
            throw invalid(source, "name: \"" + name + "\" must start with a letter or digit, followed by letters, "
                    + "digits, '_', '.' or '-'");
        }
        String version = string(root, "cniVersion", source);
        supported(version, "cniVersion", source);
        List<String> versions = new ArrayList<>();
        if (root.has("cniVersions")) {
            if (!(root.get("cniVersions") instanceof JsonArray list)) {
                throw invalid(source, "cniVersions: expected a list of versions");
            }
            for (JsonValue v : list.elements()) {
                if (!(v instanceof JsonString s)) {
                    throw invalid(source, "cniVersions: expected strings, got " + v.kindName());
                }
                versions.add(supported(s.value(), "cniVersions", source));
            }
        }
        if (!(root.get("plugins") instanceof JsonArray plugins) || plugins.elements().isEmpty()) {
            throw invalid(source, "plugins: a non-empty list of plugin objects is required (a single-plugin .conf "
                    + "is not supported: chained plugins such as portmap need a list)");
        }
        List<String> types = new ArrayList<>();
        for (int i = 0; i < plugins.elements().size(); i++) {
            if (!(plugins.elements().get(i) instanceof JsonObject plugin)) {
                throw invalid(source, "plugins[" + i + "]: expected an object");
            }
            String type = string(plugin, "type", source + ": plugins[" + i + "]");
            if (type.equals(PLUGIN_TYPE) && plugin.has("ipam")) {
                throw invalid(source, "plugins[" + i + "].ipam: podswitchd allocates the addresses; remove the ipam section");
            }
            types.add(type);
        }
        if (!types.contains(PLUGIN_TYPE)) {
            throw invalid(source, "plugins: no plugin of type \"" + PLUGIN_TYPE + "\"");
        }
        return new Conflist(name, version, List.copyOf(versions), List.copyOf(types), bytes);
    }

    /** The same list with {@code "socket": socket} set on the podswitch-cni plugin (re-rendered, indented like the plugin's results). */
    Conflist withSocket(String socket) throws InstallException {
        JsonObject root = (JsonObject) JsonParser.parse(bytes);
        List<JsonValue> plugins = new ArrayList<>();
        for (JsonValue v : ((JsonArray) root.get("plugins")).elements()) {
            JsonObject plugin = (JsonObject) v;
            if (plugin.get("type") instanceof JsonString t && t.value().equals(PLUGIN_TYPE)) {
                Map<String, JsonValue> members = new LinkedHashMap<>(plugin.members());
                members.put("socket", new JsonString(socket));
                plugin = new JsonObject(members);
            }
            plugins.add(plugin);
        }
        Map<String, JsonValue> members = new LinkedHashMap<>(root.members());
        members.put("plugins", new JsonArray(plugins));
        String text = JsonWriter.writePretty(new JsonObject(members)) + "\n";
        return parse(text.getBytes(StandardCharsets.UTF_8), "the conflist with --socket");
    }

    /** Every version this list offers a runtime: cniVersion and cniVersions. */
    List<String> offeredVersions() {
        List<String> all = new ArrayList<>(cniVersions);
        if (!all.contains(cniVersion)) {
            all.add(cniVersion);
        }
        return all;
    }

    /**
     * What an operator should know before relying on this list (empty when nothing): a
     * {@code cniVersion} above 1.0.0 makes runtimes built on libcni before v1.2 reject every
     * result — they ignore {@code cniVersions} and use {@code cniVersion} as it is.
     */
    List<String> warnings() {
        List<String> out = new ArrayList<>();
        if (CniVersion.parse(cniVersion).compareTo(CniVersion.V1_0_0) > 0) {
            out.add("cniVersion " + cniVersion + ": containerd 1.6/1.7, CRI-O up to 1.30 and podman 4 (libcni before "
                    + "v1.2) reject results of this version; set \"cniVersion\": \"" + WIDELY_ACCEPTED
                    + "\" and list " + cniVersion + " in \"cniVersions\" (newer runtimes pick the highest listed)");
        }
        return out;
    }

    private static String string(JsonObject object, String member, String where) throws InstallException {
        JsonValue v = object.get(member);
        if (!(v instanceof JsonString s) || s.value().isEmpty()) {
            throw invalid(where, member + ": required string is missing");
        }
        return s.value();
    }

    private static String supported(String version, String member, String source) throws InstallException {
        if (CniVersion.parse(version) == null) {
            throw invalid(source, member + ": \"" + version + "\" is not a version podswitch-cni speaks ("
                    + String.join(", ", CniVersion.SUPPORTED) + ")");
        }
        return version;
    }

    private static InstallException invalid(String source, String problem) {
        return new InstallException(InstallException.INVALID_CONFLIST, source + ": " + problem);
    }
}
