package io.podswitch.perf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.podswitch.daemon.json.JsonCodec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ConflistsTest {
    private static final String INSTALLED = """
            {"cniVersion": "1.0.0", "cniVersions": ["1.0.0", "1.1.0"], "name": "podswitch",
             "plugins": [{"type": "podswitch-cni", "socket": "/run/podswitch/podswitchd.sock", "mtu": 1500},
                         {"type": "portmap", "capabilities": {"portMappings": true}}]}
            """;

    @Test
    void forDaemonRenamesTheNetworkAndPointsOnlyThePodswitchEntryAtTheSocket() {
        String out = Conflists.forDaemon(INSTALLED, "bench-net", Path.of("/tmp/d/podswitchd.sock"));
        JsonNode list = JsonCodec.tree(out);
        assertEquals(List.of("cniVersion", "cniVersions", "name", "plugins"), List.copyOf(list.propertyNames()));
        assertEquals("bench-net", list.get("name").stringValue());
        assertEquals("/tmp/d/podswitchd.sock", list.get("plugins").get(0).get("socket").stringValue());
        assertEquals(1500, list.get("plugins").get(0).get("mtu").intValue());
        assertEquals(JsonCodec.tree(INSTALLED).get("plugins").get(1), list.get("plugins").get(1));
        assertEquals('\n', out.charAt(out.length() - 1));
    }

    @Test
    void pluginNetconfIsTheFirstEntryWithTheListsVersionAndName() {
        ObjectNode netconf = Conflists.pluginNetconf(INSTALLED);
        assertEquals(JsonCodec.tree("""
                {"cniVersion": "1.0.0", "name": "podswitch", "type": "podswitch-cni",
                 "socket": "/run/podswitch/podswitchd.sock", "mtu": 1500}
                """), netconf);
        assertEquals(List.of("cniVersion", "name", "type", "socket", "mtu"), List.copyOf(netconf.propertyNames()));
    }

    @Test
    void aConflistWithoutPluginsIsRefusedNamingTheMember() {
        JsonCodec.Shape e = assertThrows(JsonCodec.Shape.class,
                () -> Conflists.pluginNetconf("{\"cniVersion\": \"1.0.0\", \"name\": \"x\", \"plugins\": []}"));
        assertEquals("\"conflist.plugins\": no plugin", e.getMessage());
        assertThrows(JsonCodec.Shape.class, () -> Conflists.forDaemon("{\"plugins\": [1]}", "n", Path.of("/s")));
    }
}
