package io.podswitch.config.load;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/** A 1-based line and column in the configuration file; 0:0 when unknown. */
public record SourcePosition(int line, int column) {

    public static final SourcePosition UNKNOWN = new SourcePosition(0, 0);

    public static SourcePosition of(Node node) {
        return node.getStartMark().map(SourcePosition::of).orElse(UNKNOWN);
    }

    /** SnakeYAML marks count from 0; people count from 1. */
    public static SourcePosition of(Mark mark) {
        return new SourcePosition(mark.getLine() + 1, mark.getColumn() + 1);
    }
}
