package io.podswitch.config.load;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The fields of one YAML mapping. Building it reports unknown keys (with the closest known key), duplicate
 * keys and non-text keys, so no typo is silently ignored. Keys whose value is null count as absent.
 */
public final class Fields {

    private final MappingNode mapping;
    private final String path;
    private final Map<String, Node> values;

    private Fields(MappingNode mapping, String path, Map<String, Node> values) {
        this.mapping = mapping;
        this.path = path;
        this.values = values;
    }

    static Fields of(MappingNode mapping, String path, List<String> knownKeys, Problems problems) {
        List<NodeTuple> tuples = mapping.getValue();
        // Every key of the file passes here: positions, paths and the duplicate's first line are built only for a
        // problem. A key given with a null value counts as seen (a duplicate of it is reported) but not as present.
        Map<String, Node> values = new HashMap<>(tuples.size() * 2);
        Set<String> nullKeys = null;
        for (int i = 0; i < tuples.size(); i++) {
            NodeTuple tuple = tuples.get(i);
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey) || Tag.NULL.equals(keyNode.getTag())) {
                problems.report(SourcePosition.of(keyNode), path, "keys must be plain names but found "
                        + NodeReader.describe(keyNode));
                continue;
            }
            String key = scalarKey.getValue();
            if (!knownKeys.contains(key)) {
                String hint = KeySuggester.closest(key, knownKeys)
                        .map(s -> "; did you mean '" + s + "'?")
                        .orElse("; known keys here: " + String.join(", ", knownKeys));
                problems.report(SourcePosition.of(keyNode), pathOf(path, key), "unknown key '" + key + "'" + hint);
                continue;
            }
            if (values.containsKey(key) || nullKeys != null && nullKeys.contains(key)) {
                problems.report(SourcePosition.of(keyNode), pathOf(path, key), "duplicate key '" + key
                        + "' (first given on line " + firstLine(tuples, key) + ")");
                continue;
            }
            if (Tag.NULL.equals(tuple.getValueNode().getTag())) {
                if (nullKeys == null) {
                    nullKeys = new HashSet<>();
                }
                nullKeys.add(key);
            } else {
                values.put(key, tuple.getValueNode());
            }
        }
        return new Fields(mapping, path, values);
    }

    /** The line of the first valid occurrence of {@code key} (for a duplicate's message). */
    private static int firstLine(List<NodeTuple> tuples, String key) {
        for (NodeTuple tuple : tuples) {
            if (tuple.getKeyNode() instanceof ScalarNode scalar && !Tag.NULL.equals(scalar.getTag())
                    && scalar.getValue().equals(key)) {
                return SourcePosition.of(scalar).line();
            }
        }
        throw new IllegalStateException("no first occurrence of " + key);
    }

    public SourcePosition position() {
        return SourcePosition.of(mapping);
    }

    public String path() {
        return path;
    }

    /** The path of a field of this mapping, e.g. {@code nodes[1].uplink} + {@code mtu}. */
    public String pathOf(String key) {
        return pathOf(path, key);
    }

    private static String pathOf(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public Optional<Node> get(String key) {
        return Optional.ofNullable(values.get(key));
    }
}
