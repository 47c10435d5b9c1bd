package io.podswitch.testapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudPersistence;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link GenerationRule} answers as fabric8's CRUD mock does (its JSON-Patch rule), on writes of every kind. */
class GenerationRuleTest {
    private static final String BASE = """
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",
             "metadata":{"name":"p","namespace":"bench","resourceVersion":"3","generation":1,"labels":{"a":"b"}},
             "spec":{"podSelector":{"matchLabels":{"app":"server"}},"policyTypes":["Ingress"],
                     "ingress":[{"from":[{"ipBlock":{"cidr":"172.16.0.1/32"}}],"ports":[{"protocol":"TCP","port":8080}]},
                                {"from":[{"ipBlock":{"cidr":"172.16.0.2/32"}}],"ports":[{"protocol":"TCP","port":8080}]}]},
             "status":{"x":1}}""";

    @Test
    void sameAnswerAsTheMocksJsonPatchRule() {
        JsonNode current = tree(BASE);
        List<Consumer<ObjectNode>> writes = List.of(
                o -> { },
                o -> meta(o).put("resourceVersion", "4"),                                        // metadata only
                o -> meta(o).set("labels", tree("{\"a\":\"c\"}")),                               // labels only
                o -> o.set("status", tree("{\"x\":2}")),                                          // status only
                o -> o.without("status"),                                                          // status removed
                o -> rules(o).set(1, tree("{\"from\":[{\"ipBlock\":{\"cidr\":\"172.16.0.3/32\"}}]}")), // a rule changed
                o -> rules(o).remove(1),                                                           // a rule removed
                o -> rules(o).add(tree("{\"from\":[{\"podSelector\":{}}]}")),                       // a rule added
                o -> ((ObjectNode) o.get("spec")).without("policyTypes"),                          // a field removed
                o -> o.put("extra", true));                                                        // a field added
        int changed = 0;
        for (Consumer<ObjectNode> write : writes) {
            ObjectNode updated = (ObjectNode) current.deepCopy();
            write.accept(updated);
            boolean mock = KubernetesCrudPersistence.shouldIncreaseGeneration(current, updated);
            assertEquals(mock, GenerationRule.specChanged(current, updated), updated.toString());
            assertEquals(mock, GenerationRule.specChanged(updated, current), "reversed: " + updated);
            changed += mock ? 1 : 0;
        }
        assertEquals(5, changed, "both answers were checked");
    }

    private static ObjectNode meta(ObjectNode o) {
        return (ObjectNode) o.get("metadata");
    }

    private static ArrayNode rules(ObjectNode o) {
        return (ArrayNode) o.get("spec").get("ingress");
    }

    private static JsonNode tree(String json) {
        return Serialization.jsonMapper().readTree(json);
    }
}
