package io.podswitch.config.load;

import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;

/**
 * Composes the YAML that cluster files are written in — block mappings and sequences by indentation (a sequence may
 * sit at its key's indentation), one-line flow collections ({@code [a, b]}, {@code {k: v}}), one-line plain and
 * quoted scalars, comments — into the node tree snakeyaml-engine composes from the same text, without marks, in a
 * fraction of its time: loading a 1,000-rule policy file (174 KB, warm) took ~14.5 ms of CPU and 22 MB through
 * snakeyaml, ~3.3 ms and 7 MB through here — and that load is most of a file-source policy update (issue 13).
 *
 * <p>Anything outside that subset — anchors, aliases, tags, block scalars, multi-line scalars or flow collections,
 * escapes, tabs, CRs, document markers, directives, complex keys — and anything that is not well-formed makes it
 * answer {@code null}: the caller composes with snakeyaml then, which also reports every syntax error where it is.
 * The tree it does return equals snakeyaml's (tags by the same resolver, scalar and collection styles, tuple order,
 * duplicates kept for {@link Fields} to report); {@code QuickYamlTest} compares the two on real and mutated files.
 * Without marks, a tree from here cannot place a problem: {@code ConfigLoader} reads it only to accept a valid
 * file and reads any file with a problem again through snakeyaml, so every message keeps its line and column.
 */
public final class QuickYaml {
    private final String text;
    private final ScalarResolver resolver;
    /** Where each line starts ({@code lineStart[lines]} = one past the text's end). */
    private final int[] lineStart;
    private final int lines;
    /** The line being read. */
    private int line;

    /** Thrown inside to give up; never leaves this class. */
    private static final class NotSimple extends Exception {
        private static final NotSimple INSTANCE = new NotSimple();

        private NotSimple() {
            super(null, null, false, false);
        }
    }

    private QuickYaml(String text, ScalarResolver resolver, int[] lineStart, int lines) {
        this.text = text;
        this.resolver = resolver;
        this.lineStart = lineStart;
        this.lines = lines;
    }

    /**
     * The document's root node as snakeyaml-engine would compose it with {@code resolver}, or null when the text is
     * outside the subset (or empty, or not well-formed): compose it with snakeyaml instead.
     */
    public static Node compose(String text, ScalarResolver resolver) {
        int[] starts = new int[64];
        int count = 0;
        starts[count++] = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                if (count == starts.length) {
                    starts = java.util.Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i + 1;
            } else if (c < ' ' || c > '~') {
                return null; // tabs, CRs, control characters, anything not ASCII (BOMs, line separators): snakeyaml's
            }
        }
        if (count == starts.length) {
            starts = java.util.Arrays.copyOf(starts, count + 1);
        }
        starts[count] = text.length() + 1;
        QuickYaml y = new QuickYaml(text, resolver, starts, count);
        try {
            return y.document();
        } catch (NotSimple | RuntimeException e) {
            return null;
        }
    }

    private Node document() throws NotSimple {
        for (int l = 0; l < lines; l++) {
            int s = lineStart[l];
            if (text.startsWith("---", s) || text.startsWith("...", s) || text.startsWith("%", s)) {
                throw NotSimple.INSTANCE;
            }
        }
        skipBlank();
        if (line >= lines) {
            throw NotSimple.INSTANCE; // an empty document: snakeyaml says so
        }
        if (indent(line) != 0) {
            throw NotSimple.INSTANCE;
        }
        Node root = blockNode(0, contentStart(line));
        skipBlank();
        if (line < lines) {
            throw NotSimple.INSTANCE;
        }
        return root;
    }

    // ---------------------------------------------------------------- lines

    private int lineEnd(int l) {
        return lineStart[l + 1] - 1;
    }

    private int indent(int l) {
        int s = lineStart[l];
        int e = lineEnd(l);
        int i = s;
        while (i < e && text.charAt(i) == ' ') {
            i++;
        }
        return i - s;
    }

    private int contentStart(int l) {
        return lineStart[l] + indent(l);
    }

    /** Blank or comment-only. */
    private boolean blank(int l) {
        int i = contentStart(l);
        return i >= lineEnd(l) || text.charAt(i) == '#';
    }

    private void skipBlank() {
        while (line < lines && blank(line)) {
            line++;
        }
    }

    /** After a value that ended at {@code at} on the current line: only spaces and a comment may follow. */
    private void endOfLine(int at) throws NotSimple {
        int e = lineEnd(line);
        int i = at;
        while (i < e && text.charAt(i) == ' ') {
            i++;
        }
        if (i < e && !(text.charAt(i) == '#' && i > at)) {
            throw NotSimple.INSTANCE;
        }
        line++;
    }

    // ---------------------------------------------------------------- block collections

    /**
     * The node that starts at {@code at} on the current line, {@code column} deep: a block collection or a one-line
     * value.
     */
    private Node blockNode(int column, int at) throws NotSimple {
        if (dash(at)) {
            return blockSequence(column);
        }
        if (keyEnd(at) >= 0) {
            return blockMapping(column, at);
        }
        int end = lineEnd(line);
        Node value = value(at, end, false);
        endOfLine(position);
        return value;
    }

    /** Entries at {@code column}, the first starting at {@code at} on the current line. */
    private Node blockMapping(int column, int at) throws NotSimple {
        List<NodeTuple> tuples = new ArrayList<>();
        int start = at;
        while (true) {
            int colon = keyEnd(start);
            if (colon < 0) {
                throw NotSimple.INSTANCE;
            }
            Node key = keyScalar(start, colon);
            Node value = afterIndicator(column, colon + 1, true);
            tuples.add(new NodeTuple(key, value));
            start = nextAt(column);
            if (start < 0 || dash(start)) {
                break; // a sequence at this indentation ends the mapping (its parent's business, or an error)
            }
        }
        return new MappingNode(Tag.MAP, tuples, FlowStyle.BLOCK);
    }

    /**
     * Where the next non-blank line's content starts when that line is {@code column} deep, or -1 when there is none
     * or it is shallower (the collection at {@code column} ends); a deeper one is not this subset's.
     */
    private int nextAt(int column) throws NotSimple {
        skipBlank();
        if (line >= lines) {
            return -1;
        }
        int ind = indent(line);
        if (ind > column) {
            throw NotSimple.INSTANCE;
        }
        return ind < column ? -1 : contentStart(line);
    }

    /** A block sequence's entry indicator at {@code at} on the current line: {@code -} before a space or the end. */
    private boolean dash(int at) {
        return text.charAt(at) == '-' && (at + 1 >= lineEnd(line) || text.charAt(at + 1) == ' ');
    }

    /** Items at {@code column}, the first on the current line. */
    private Node blockSequence(int column) throws NotSimple {
        List<Node> items = new ArrayList<>();
        while (true) {
            int dash = contentStart(line);
            items.add(afterIndicator(column, dash + 1, false));
            int start = nextAt(column);
            if (start < 0 || !dash(start)) {
                break;
            }
        }
        return new SequenceNode(Tag.SEQ, items, FlowStyle.BLOCK);
    }

    /**
     * The value after a key's {@code :} or an item's {@code -} (at {@code from} on the current line, which is
     * {@code column} deep): on this line, or on the next lines (deeper; for a key, a sequence may also sit at the
     * key's own column), or nothing (null).
     */
    private Node afterIndicator(int column, int from, boolean key) throws NotSimple {
        int e = lineEnd(line);
        int i = from;
        while (i < e && text.charAt(i) == ' ') {
            i++;
        }
        if (i >= e || text.charAt(i) == '#') {
            if (i < e && i == from) {
                throw NotSimple.INSTANCE; // "-#" or ":#"
            }
            line++;
            skipBlank();
            if (line < lines) {
                int ind = indent(line);
                int start = contentStart(line);
                if (ind > column) {
                    return blockNode(ind, start);
                }
                if (key && ind == column && dash(start)) {
                    return blockSequence(column);
                }
            }
            return scalar("", ScalarStyle.PLAIN);
        }
        if (!key && dash(i)) {
            throw NotSimple.INSTANCE; // "- - x": a sequence in a sequence on one line
        }
        if (!key && keyEnd(i) >= 0) {
            return blockMapping(i - lineStart[line], i); // "- name: x": a mapping at the name's column
        }
        if (key && keyEnd(i) >= 0) {
            throw NotSimple.INSTANCE; // "a: b: c"
        }
        Node value = value(i, e, false);
        endOfLine(position);
        return value;
    }

    /**
     * Where the {@code :} of a key starting at {@code at} on the current line is, or -1 when the line does not
     * start a mapping entry there.
     */
    private int keyEnd(int at) throws NotSimple {
        int e = lineEnd(line);
        char c = text.charAt(at);
        if (c == '\'' || c == '"') {
            int close = quotedEnd(at, e);
            int i = close;
            while (i < e && text.charAt(i) == ' ') {
                i++;
            }
            return i < e && text.charAt(i) == ':' && (i + 1 >= e || text.charAt(i + 1) == ' ') ? i : -1;
        }
        if (!plainStart(at, e)) {
            return -1;
        }
        for (int i = at; i < e; i++) {
            char ch = text.charAt(i);
            if (ch == ':' && (i + 1 >= e || text.charAt(i + 1) == ' ')) {
                return i;
            }
            if (ch == '#' && text.charAt(i - 1) == ' ') {
                return -1;
            }
        }
        return -1;
    }

    private Node keyScalar(int at, int colon) throws NotSimple {
        char c = text.charAt(at);
        if (c == '\'' || c == '"') {
            return quoted(at, lineEnd(line));
        }
        String key = text.substring(at, trimEnd(at, colon));
        if (key.equals("<<") || key.startsWith("? ") || key.equals("?")) {
            throw NotSimple.INSTANCE;
        }
        return scalar(key, ScalarStyle.PLAIN);
    }

    // ---------------------------------------------------------------- one-line values

    /** Where the last one-line value ended. */
    private int position;

    /** A flow sequence or mapping whose opening bracket is at {@link #position}; leaves it after the closing one. */
    private Node flow(int end, boolean sequence) throws NotSimple {
        int i = position + 1;
        char close = sequence ? ']' : '}';
        List<Node> items = sequence ? new ArrayList<>() : null;
        List<NodeTuple> tuples = sequence ? null : new ArrayList<>();
        i = skipSpaces(i, end);
        if (i < end && text.charAt(i) == close) {
            position = i + 1;
            return sequence ? new SequenceNode(Tag.SEQ, items, FlowStyle.FLOW)
                    : new MappingNode(Tag.MAP, tuples, FlowStyle.FLOW);
        }
        while (true) {
            if (i >= end) {
                throw NotSimple.INSTANCE; // a flow collection over several lines
            }
            if (sequence) {
                items.add(value(i, end, true));
                i = skipSpaces(position, end);
                if (i < end && text.charAt(i) == ':') {
                    throw NotSimple.INSTANCE; // a single-pair mapping in a flow sequence
                }
            } else {
                Node key = value(i, end, true);
                if (!(key instanceof ScalarNode)) {
                    throw NotSimple.INSTANCE;
                }
                i = skipSpaces(position, end);
                if (i >= end || text.charAt(i) != ':' || i + 1 >= end || text.charAt(i + 1) != ' ') {
                    throw NotSimple.INSTANCE; // "{a}", "{a:b}", "{a: }" at the line's end: snakeyaml's
                }
                i = skipSpaces(i + 1, end);
                if (i >= end || text.charAt(i) == ',' || text.charAt(i) == '}') {
                    throw NotSimple.INSTANCE; // "{a: }": an empty value
                }
                tuples.add(new NodeTuple(key, value(i, end, true)));
                i = skipSpaces(position, end);
            }
            if (i >= end) {
                throw NotSimple.INSTANCE;
            }
            char c = text.charAt(i);
            if (c == close) {
                position = i + 1;
                break;
            }
            if (c != ',') {
                throw NotSimple.INSTANCE;
            }
            i = skipSpaces(i + 1, end);
            if (i < end && (text.charAt(i) == close || text.charAt(i) == ',')) {
                throw NotSimple.INSTANCE; // a trailing or doubled comma
            }
        }
        return sequence ? new SequenceNode(Tag.SEQ, items, FlowStyle.FLOW) : new MappingNode(Tag.MAP, tuples, FlowStyle.FLOW);
    }

    /**
     * A flow collection or a scalar at {@code at}, ending on this line before {@code end}; sets {@link #position} after
     * it. {@code inFlow}: inside a flow collection, where {@code ,[]{}} end a plain scalar and {@code ": "} a key.
     */
    private Node value(int at, int end, boolean inFlow) throws NotSimple {
        char c = text.charAt(at);
        if (c == '[' || c == '{') {
            position = at;
            return flow(end, c == '[');
        }
        if (c == '\'' || c == '"') {
            return quoted(at, end);
        }
        if (!plainStart(at, end) || (inFlow && (c == '-' || c == '?' || c == ':'))) {
            throw NotSimple.INSTANCE;
        }
        int i = at;
        while (i < end) {
            char ch = text.charAt(i);
            if (inFlow && (ch == ',' || ch == '[' || ch == ']' || ch == '{' || ch == '}')) {
                break;
            }
            if (ch == ':') {
                boolean indicator = i + 1 >= end || text.charAt(i + 1) == ' ';
                if (inFlow && indicator && i + 1 < end) {
                    break; // a flow key's end
                }
                if (inFlow || indicator) {
                    // "a: b: c" in a block; "a:b" or an unquoted IPv6 address in a flow: left to snakeyaml
                    throw NotSimple.INSTANCE;
                }
            }
            if (ch == '#' && text.charAt(i - 1) == ' ') {
                if (inFlow) {
                    throw NotSimple.INSTANCE; // a comment inside a flow collection: it spans lines
                }
                break;
            }
            i++;
        }
        int stop = trimEnd(at, i);
        position = stop;
        return scalar(text.substring(at, stop), ScalarStyle.PLAIN);
    }

    /** A quoted scalar starting at {@code at}, closed on this line, without escapes; sets {@link #position}. */
    private Node quoted(int at, int end) throws NotSimple {
        int close = quotedEnd(at, end);
        String body = text.substring(at + 1, close - 1);
        position = close;
        return scalar(body, text.charAt(at) == '\'' ? ScalarStyle.SINGLE_QUOTED : ScalarStyle.DOUBLE_QUOTED);
    }

    /** One past the closing quote of the scalar at {@code at}; escapes ('' or \) are snakeyaml's. */
    private int quotedEnd(int at, int end) throws NotSimple {
        char q = text.charAt(at);
        for (int i = at + 1; i < end; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                throw NotSimple.INSTANCE;
            }
            if (c == q) {
                if (q == '\'' && i + 1 < end && text.charAt(i + 1) == '\'') {
                    throw NotSimple.INSTANCE;
                }
                return i + 1;
            }
        }
        throw NotSimple.INSTANCE; // not closed on this line
    }

    /** Whether a plain scalar may start at {@code at} (no indicator; {@code -?:} only before a non-space). */
    private boolean plainStart(int at, int end) {
        char c = text.charAt(at);
        switch (c) {
            case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`' -> {
                return false;
            }
            case '-', '?', ':' -> {
                return at + 1 < end && text.charAt(at + 1) != ' ';
            }
            default -> {
                return true;
            }
        }
    }

    private int trimEnd(int from, int to) {
        int i = to;
        while (i > from && text.charAt(i - 1) == ' ') {
            i--;
        }
        return i;
    }

    private int skipSpaces(int i, int end) {
        while (i < end && text.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private ScalarNode scalar(String value, ScalarStyle style) {
        Tag tag = style == ScalarStyle.PLAIN ? resolver.resolve(value, true) : Tag.STR;
        return new ScalarNode(tag, value, style);
    }
}
