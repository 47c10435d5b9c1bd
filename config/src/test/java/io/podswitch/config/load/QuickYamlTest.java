package io.podswitch.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.podswitch.config.ConfigError;
import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * {@link QuickYaml} composes exactly the tree snakeyaml-engine composes (same node kinds, tags, values, scalar and
 * collection styles, tuple order) or declines — on cluster files, on each construct it must decline, and on tens of
 * thousands of mutations of real files (a wrong tree for any of them fails the test).
 */
class QuickYamlTest {

    /** A cluster file in the shapes people write: comments, flow and block, indentless sequences, quotes. */
    static final String CLUSTER = """
            # a comment
            ipFamilies: [IPv4, IPv6]   # trailing comment
            podCIDRs:
            - 10.244.0.0/16
            - fd00:10:244::/56
            serviceCIDRs: ['10.96.0.0/16', "fd00:10:96::/112"]
            nodeCIDRs: [192.168.100.0/24]
            node: node-a
            empty:
            nothing: ~
            truth: true
            number: 0x1F
            overlay: {mode: vxlan, vni: 1, udpPort: 4789}

            nodes:
              - name: node-a
                addresses: [192.168.100.11, "fd00::11"]
                uplink: {interface: eth0, mtu: 1500}
                labels: {}
                list: []
              - name: node-b
                nested:
                  deeper:
                    - x
                    - {a: [1, 2, {b: c}], d: 'e f'}
                  after: value with spaces and a#hash
              -
                name: node-c
            "quoted key": v
            'single': "double"
            url: http://example.com/a:b
            key with spaces: a,b]c
            """;

    @Test
    void clusterFilesComposeAsSnakeyamlComposesThem() throws Exception {
        for (String text : List.of(CLUSTER, ConfigLoader.exampleText(), policyFile(1_000), "a: b\n", "- x\n- y",
                "[a, b]\n", "plain\n", "a:\n  - b\n  -\n    c: d\n")) {
            Node quick = QuickYaml.compose(text, new FastCoreSchema().getScalarResolver());
            assertNotNull(quick, text);
            assertSame(snakeyaml(text).orElseThrow(), quick, "");
        }
    }

    @Test
    void declinesWhatItDoesNotCompose() {
        for (String text : List.of("", "# only a comment\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  text\n",
                "a: >\n  folded\n", "a: b\n  continued\n", "a: [b,\n  c]\n", "a: \"esc\\n\"\n", "a: 'it''s'\n",
                "a:\tb\n", "a: b\r\n", "---\na: b\n", "%YAML 1.2\n---\na: 1\n", "? a\n: b\n", "<<: {a: b}\n",
                "a: [fd00::1]\n", "a: {b}\n", "a: {b: }\n", "a: [b, ]\n", "a: b: c\n", "- - a\n", "a: [b] c\n",
                "a: 'open\n", "a: b\n- c\n", "a: é\n", "\uFEFFa: b\n", "a: [b # c\n]\n", "a: b\n   c: d\n")) {
            assertNull(QuickYaml.compose(text, new FastCoreSchema().getScalarResolver()), text);
        }
    }

    @Test
    void mutatedFilesComposeAsSnakeyamlOrAreDeclined() throws Exception {
        Random random = new Random(13);
        String alphabet = " -:#[]{},'\"\n a0";
        int composed = 0;
        int tries = 30_000;
        List<String> seeds = List.of(CLUSTER, ConfigLoader.exampleText(), policyFile(3));
        for (int t = 0; t < tries; t++) {
            StringBuilder text = new StringBuilder(seeds.get(t % seeds.size()));
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String s = text.toString();
            Node quick = QuickYaml.compose(s, new FastCoreSchema().getScalarResolver());
            if (quick == null) {
                continue;
            }
            composed++;
            Optional<Node> full;
            try {
                full = snakeyaml(s);
            } catch (RuntimeException e) {
                throw new AssertionError("snakeyaml fails on a text QuickYaml composed:\n" + s, e);
            }
            assertTrue(full.isPresent(), s);
            assertSame(full.get(), quick, "mutation " + t + ":\n" + s + "\n");
        }
        // Most single-character edits of a valid file leave it valid: the comparison above must have happened a lot.
        assertTrue(composed > tries / 4, "only " + composed + " of " + tries + " mutated files were composed");
    }

    /** The quick path never costs a message its place: a problem in a quickly composed file is reported located. */
    @Test
    void problemsInAQuicklyComposedFileKeepLineAndColumn() {
        String text = ConfigLoader.exampleText().replace("udpPort: 4789", "udpPort: 99999");
        assertNotNull(QuickYaml.compose(text, new FastCoreSchema().getScalarResolver()));
        int line = text.substring(0, text.indexOf("udpPort: 99999")).split("\n", -1).length;
        try {
            ConfigLoader.parse(text, "c.yaml", Map.of());
            fail("loaded");
        } catch (ConfigException e) {
            List<String> errors = new ArrayList<>();
            for (ConfigError er : e.errors()) {
                errors.add(er.format());
            }
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).startsWith("c.yaml:" + line + ":12: overlay.udpPort"), errors.toString());
        }
    }

    private static Optional<Node> snakeyaml(String text) {
        Problems problems = new Problems("t");
        Optional<Node> node = YamlDocument.compose(text, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.inFileOrder().toString());
        }
        return node;
    }

    /** The bench's policy file shape: one policy of {@code rules} ipBlock rules. */
    static String policyFile(int rules) {
        StringBuilder b = new StringBuilder("""
                ipFamilies: [IPv4]
                podCIDRs: [10.244.0.0/16]
                serviceCIDRs: [10.96.0.0/16]
                nodeCIDRs: [192.168.100.0/24]
                node: n1
                overlay: {mode: direct, podMTU: 1500}
                nodes:
                  - name: n1
                    addresses: [192.168.100.11]
                    podCIDRs: [10.244.0.0/24]
                    uplink: {interface: lo, mtu: 1500}
                networkPolicy:
                  namespaces:
                    - {name: bench}
                  pods:
                    - namespace: bench
                      name: client
                      labels: {app: client}
                  policies:
                    - apiVersion: networking.k8s.io/v1
                      kind: NetworkPolicy
                      metadata: {name: server-ingress, namespace: bench}
                      spec:
                        podSelector:
                          matchLabels: {app: server}
                        policyTypes: [Ingress]
                        ingress:
                """);
        for (int i = 0; i < rules; i++) {
            b.append("          - from:\n              - ipBlock: {cidr: 172.16.").append(i / 250).append('.')
                    .append(i % 250 + 1).append("/32}\n            ports:\n              - {protocol: TCP, port: 8080}\n"
                            + "              - {protocol: TCP, port: 5201}\n");
        }
        return b.toString();
    }

    static void assertSame(Node expected, Node actual, String where) {
        assertEquals(expected.getClass(), actual.getClass(), where);
        assertEquals(expected.getTag(), actual.getTag(), where);
        switch (expected) {
            case ScalarNode s -> {
                ScalarNode a = (ScalarNode) actual;
                assertEquals(s.getValue(), a.getValue(), where);
                assertEquals(s.getScalarStyle(), a.getScalarStyle(), where + s.getValue());
            }
            case SequenceNode s -> {
                SequenceNode a = (SequenceNode) actual;
                assertEquals(s.getFlowStyle(), a.getFlowStyle(), where);
                assertEquals(s.getValue().size(), a.getValue().size(), where);
                for (int i = 0; i < s.getValue().size(); i++) {
                    assertSame(s.getValue().get(i), a.getValue().get(i), where + "[" + i + "]");
                }
            }
            case MappingNode m -> {
                MappingNode a = (MappingNode) actual;
                assertEquals(m.getFlowStyle(), a.getFlowStyle(), where);
                assertEquals(m.getValue().size(), a.getValue().size(), where);
                for (int i = 0; i < m.getValue().size(); i++) {
                    NodeTuple e = m.getValue().get(i);
                    NodeTuple t = a.getValue().get(i);
                    assertSame(e.getKeyNode(), t.getKeyNode(), where + ".key" + i);
                    assertSame(e.getValueNode(), t.getValueNode(), where + "." + e.getKeyNode());
                }
            }
            default -> fail("unexpected node " + expected);
        }
    }
}
