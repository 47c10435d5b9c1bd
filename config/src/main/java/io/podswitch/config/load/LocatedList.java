package io.podswitch.config.load;

import java.util.List;

/**
 * A list read from the file. {@code present} is false when the key was absent (then {@code position} is the
 * enclosing mapping's); {@code complete} is false when some item could not be read (its error is already
 * reported), so rules that count items stay quiet rather than report a consequence twice.
 */
public record LocatedList<T>(boolean present, boolean complete, SourcePosition position, String path, List<Located<T>> items) {

    public LocatedList {
        items = List.copyOf(items);
    }

    public static <T> LocatedList<T> absent(SourcePosition parent, String path) {
        return new LocatedList<>(false, true, parent, path, List.of());
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }
}
