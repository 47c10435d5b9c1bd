package io.podswitch.config.load;

import java.util.List;
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

    private final MappingNode mapping;
    private final String path;
    /**
     * The keys read, in file order, and their values (null: given with a null value — seen, but absent). Arrays
     * searched linearly: only known keys get here, a handful per mapping, and a reload reads thousands of mappings
     * (a HashMap each was a tenth of reading a 1,000-rule policy).
     */
    private final String[] keys;
    private final Node[] values;
    private final int size;

    private Fields(MappingNode mapping, String path, String[] keys, Node[] values, int size) {
        this.mapping = mapping;
        this.path = path;
        this.keys = keys;
        this.values = values;
        this.size = size;
    }

    static Fields of(MappingNode mapping, String path, List<String> knownKeys, Problems problems) {
        List<NodeTuple> tuples = mapping.getValue();
        // Every key of the file passes here: positions, paths and the duplicate's first line are built only for a
        // problem. A key given with a null value counts as seen (a duplicate of it is reported) but not as present.
        String[] keys = new String[tuples.size()];
        Node[] values = new Node[tuples.size()];
        int size = 0;
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
            if (indexOf(keys, size, key) >= 0) {
                problems.report(SourcePosition.of(keyNode), pathOf(path, key), "duplicate key '" + key
                        + "' (first given on line " + firstLine(tuples, key) + ")");
                continue;
            }
            keys[size] = key;
            values[size] = Tag.NULL.equals(tuple.getValueNode().getTag()) ? null : tuple.getValueNode();
            size++;
        }
        return new Fields(mapping, path, keys, values, size);
    }

    private static int indexOf(String[] keys, int size, String key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
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
        int i = indexOf(keys, size, key);
        return i < 0 ? Optional.empty() : Optional.ofNullable(values[i]);
    }
}
