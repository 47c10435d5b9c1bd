package io.podswitch.config.load;

import io.podswitch.config.cidr.IpFormatException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads typed values out of YAML nodes. Every wrong type is reported (with what was expected and what was
 * found) and yields an empty result, so reading goes on and later problems are found too.
 */
public final class NodeReader {

    private final Problems problems;

    public NodeReader(Problems problems) {
        this.problems = problems;
    }

    public Problems problems() {
        return problems;
    }

    /** The key/value pairs of a mapping, checked against the keys allowed there. */
    public Optional<Fields> fields(Node node, String path, List<String> knownKeys) {
        if (!(node instanceof MappingNode mapping)) {
            problems.report(SourcePosition.of(node), path, "expected a mapping (key: value lines) but found " + describe(node));
            return Optional.empty();
        }
        return Optional.of(Fields.of(mapping, path, knownKeys, problems));
    }

    public Optional<Located<String>> string(Node node, String path) {
        Tag tag = node.getTag();
        // A name like 1234 or yes is still a name: YAML typing it as a number or boolean is an accident of syntax.
        boolean textual = Tag.STR.equals(tag) || Tag.INT.equals(tag) || Tag.FLOAT.equals(tag) || Tag.BOOL.equals(tag);
        if (!(node instanceof ScalarNode scalar) || !textual) {
            problems.report(SourcePosition.of(node), path, "expected a text value but found " + describe(node));
            return Optional.empty();
        }
        if (scalar.getValue().isBlank()) {
            problems.report(SourcePosition.of(node), path, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(new Located<>(scalar.getValue(), SourcePosition.of(node), path));
    }

    public Optional<Located<Integer>> integer(Node node, String path) {
        if (!(node instanceof ScalarNode scalar) || !Tag.INT.equals(node.getTag())) {
            problems.report(SourcePosition.of(node), path, "expected a whole number but found " + describe(node));
            return Optional.empty();
        }
        BigInteger value = parseInteger(scalar.getValue());
        if (value.bitLength() > 31) {
            problems.report(SourcePosition.of(node), path, scalar.getValue() + " is too large");
            return Optional.empty();
        }
        return Optional.of(new Located<>(value.intValueExact(), SourcePosition.of(node), path));
    }

    /** YAML 1.2 core schema integers: decimal with optional sign, 0o octal, 0x hex. */
    private static BigInteger parseInteger(String text) {
        String digits = text.startsWith("+") ? text.substring(1) : text;
        if (digits.startsWith("0x")) {
            return new BigInteger(digits.substring(2), 16);
        }
        if (digits.startsWith("0o")) {
            return new BigInteger(digits.substring(2), 8);
        }
        return new BigInteger(digits);
    }

    public Optional<Located<Boolean>> bool(Node node, String path) {
        if (!(node instanceof ScalarNode scalar) || !Tag.BOOL.equals(node.getTag())) {
            problems.report(SourcePosition.of(node), path, "expected true or false but found " + describe(node));
            return Optional.empty();
        }
        return Optional.of(new Located<>(Boolean.parseBoolean(scalar.getValue().toLowerCase(Locale.ROOT)),
                SourcePosition.of(node), path));
    }

    /** A text value turned into {@code T} by {@code parser}; its {@link IpFormatException} message becomes the error. */
    public <T> Optional<Located<T>> parsed(Node node, String path, Function<String, T> parser) {
        Optional<Located<String>> text = string(node, path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Located<>(parser.apply(text.get().value()), text.get().position(), path));
        } catch (IpFormatException e) {
            problems.report(text.get(), e.getMessage());
            return Optional.empty();
        }
    }

    /** One of a fixed set of spellings, e.g. {@code vxlan|geneve|direct}; near misses get a suggestion. */
    public <E> Optional<Located<E>> choice(Node node, String path, Map<String, E> choices) {
        Optional<Located<String>> text = string(node, path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        E value = choices.get(text.get().value());
        if (value == null) {
            String known = String.join(", ", choices.keySet());
            String hint = KeySuggester.closest(text.get().value(), choices.keySet())
                    .map(s -> "; did you mean " + s + "?").orElse("");
            problems.report(text.get(), "'" + text.get().value() + "' is not one of " + known + hint);
            return Optional.empty();
        }
        return Optional.of(new Located<>(value, text.get().position(), path));
    }

    /**
     * A list whose items are read by {@code itemReader(itemNode, itemPath)}. Absent or null: an absent list.
     * A single value where a list belongs is reported with the list spelling to use instead.
     */
    public <T> LocatedList<T> list(Optional<Node> maybeNode, SourcePosition parent, String path,
                                   BiFunction<Node, String, Optional<Located<T>>> itemReader) {
        if (maybeNode.isEmpty()) {
            return LocatedList.absent(parent, path);
        }
        Node node = maybeNode.get();
        if (!(node instanceof SequenceNode sequence)) {
            String hint = node instanceof ScalarNode scalar ? "; write it as a list: [" + scalar.getValue() + "]" : "";
            problems.report(SourcePosition.of(node), path, "expected a list but found " + describe(node) + hint);
            return new LocatedList<>(true, false, SourcePosition.of(node), path, List.of());
        }
        List<Located<T>> items = new ArrayList<>();
        boolean complete = true;
        List<Node> values = sequence.getValue();
        for (int i = 0; i < values.size(); i++) {
            Optional<Located<T>> item = itemReader.apply(values.get(i), path + "[" + i + "]");
            if (item.isPresent()) {
                items.add(item.get());
            } else {
                complete = false;
            }
        }
        return new LocatedList<>(true, complete, SourcePosition.of(node), path, items);
    }

    /** "a list", "a mapping", "the number 12", "'abc'", "nothing" — for "expected X but found Y". */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = node.getTag();
        if (Tag.NULL.equals(tag)) {
            return "nothing (null)";
        }
        if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
            return "the number " + scalar.getValue();
        }
        if (Tag.BOOL.equals(tag)) {
            return "the boolean " + scalar.getValue();
        }
        return "'" + scalar.getValue() + "'";
    }
}
