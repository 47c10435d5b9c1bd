package io.podswitch.api.json;

/**
 * Malformed or oversized JSON. Names the offending position both as a character offset and as
 * line:column (1-based), because the reader of the message is usually a human with an editor.
 */
public final class JsonParseException extends RuntimeException {
    private final int offset;
    private final int line;
    private final int column;

    JsonParseException(String problem, int offset, int line, int column) {
        super(problem + " at line " + line + ", column " + column + " (offset " + offset + ")");
        this.offset = offset;
        this.line = line;
        this.column = column;
    }

    public int offset() {
        return offset;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
