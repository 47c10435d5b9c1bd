package io.podswitch.perf.runtime;

import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import io.podswitch.api.json.JsonWriter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The installed conflist made into what one test daemon's runtime needs, and into a plugin's netconf. */
public final class Conflists {
    static final String PLUGIN_TYPE = "podswitch-cni";

    private Conflists() {
    }

    /** {@code conflist} as network {@code network}, its podswitch-cni entry pointing at {@code socket}. */
    public static String forDaemon(String conflist, String network, Path socket) {
        JsonObject list = (JsonObject) JsonParser.parse(conflist);
        Map<String, JsonValue> members = new LinkedHashMap<>(list.members());
        members.put("name", new JsonString(network));
        List<JsonValue> plugins = new ArrayList<>();
        for (JsonValue v : ((JsonArray) list.get("plugins")).elements()) {
            JsonObject plugin = (JsonObject) v;
            if (plugin.get("type").equals(new JsonString(PLUGIN_TYPE))) {
                Map<String, JsonValue> m = new LinkedHashMap<>(plugin.members());
                m.put("socket", new JsonString(socket.toString()));
                plugin = new JsonObject(m);
            }
            plugins.add(plugin);
        }
        members.put("plugins", new JsonArray(plugins));
        return JsonWriter.writePretty(new JsonObject(members)) + "\n";
    }

    /** What a runtime hands the plugin for {@code conflist}: its first entry plus the list's cniVersion and name. */
    public static JsonObject pluginNetconf(String conflist) {
        JsonObject list = (JsonObject) JsonParser.parse(conflist);
        JsonObject first = (JsonObject) ((JsonArray) list.get("plugins")).elements().getFirst();
        Map<String, JsonValue> m = new LinkedHashMap<>();
        m.put("cniVersion", list.get("cniVersion"));
        m.put("name", list.get("name"));
        m.putAll(first.members());
        return new JsonObject(m);
    }
}
