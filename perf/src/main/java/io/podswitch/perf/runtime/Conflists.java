package io.podswitch.perf.runtime;

import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.json.NodeReader;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** The installed conflist made into what one test daemon's runtime needs, and into a plugin's netconf. */
public final class Conflists {
    static final String PLUGIN_TYPE = "podswitch-cni";

    private Conflists() {
    }

    /** {@code conflist} as network {@code network}, its podswitch-cni entry pointing at {@code socket}. */
    public static String forDaemon(String conflist, String network, Path socket) {
        NodeReader list = NodeReader.of(JsonCodec.tree(conflist), "conflist");
        ObjectNode out = ((ObjectNode) list.object()).deepCopy();
        out.put("name", network);
        for (NodeReader plugin : NodeReader.of(out, "conflist").optionalObjectList("plugins")) {
            if (PLUGIN_TYPE.equals(plugin.optionalString("type"))) {
                ((ObjectNode) plugin.object()).put("socket", socket.toString());
            }
        }
        return JsonCodec.pretty(out) + "\n";
    }

    /** What a runtime hands the plugin for {@code conflist}: its first entry plus the list's cniVersion and name. */
    public static ObjectNode pluginNetconf(String conflist) {
        NodeReader list = NodeReader.of(JsonCodec.tree(conflist), "conflist");
        List<NodeReader> plugins = list.optionalObjectList("plugins");
        if (plugins.isEmpty()) {
            throw new JsonCodec.Shape("\"conflist.plugins\": no plugin");
        }
        ObjectNode netconf = JsonCodec.object();
        netconf.put("cniVersion", list.optionalString("cniVersion"));
        netconf.put("name", list.optionalString("name"));
        netconf.setAll((ObjectNode) plugins.getFirst().object());
        return netconf;
    }
}
