package io.podswitch.config.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private final SourcePosition position;
    private final String path;
    private final Map<String, Node> values;

    private Fields(SourcePosition position, String path, Map<String, Node> values) {
        this.position = position;
        this.path = path;
        this.values = values;
    }

    static Fields of(MappingNode mapping, String path, List<String> knownKeys, Problems problems) {
        Map<String, Node> values = new LinkedHashMap<>();
        Map<String, SourcePosition> seenAt = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            SourcePosition keyPosition = SourcePosition.of(keyNode);
            if (!(keyNode instanceof ScalarNode scalarKey) || Tag.NULL.equals(keyNode.getTag())) {
                problems.report(keyPosition, path, "keys must be plain names but found " + NodeReader.describe(keyNode));
                continue;
            }
            String key = scalarKey.getValue();
            // The key's path is built only for a problem: this loop runs for every key of the file.
            if (!knownKeys.contains(key)) {
                String hint = KeySuggester.closest(key, knownKeys)
                        .map(s -> "; did you mean '" + s + "'?")
                        .orElse("; known keys here: " + String.join(", ", knownKeys));
                problems.report(keyPosition, pathOf(path, key), "unknown key '" + key + "'" + hint);
                continue;
            }
            SourcePosition first = seenAt.putIfAbsent(key, keyPosition);
            if (first != null) {
                problems.report(keyPosition, pathOf(path, key), "duplicate key '" + key + "' (first given on line "
                        + first.line() + ")");
                continue;
            }
            if (!Tag.NULL.equals(tuple.getValueNode().getTag())) {
                values.put(key, tuple.getValueNode());
            }
        }
        return new Fields(SourcePosition.of(mapping), path, values);
    }

    public SourcePosition position() {
        return position;
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
