package io.podswitch.config.load;

import io.podswitch.config.ConfigError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem found in one file, so a user sees all of them at once. */
public final class Problems {

    private final String fileName;
    private final List<ConfigError> errors = new ArrayList<>();

    public Problems(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }

    public void report(SourcePosition position, String path, String message) {
        errors.add(new ConfigError(fileName, position.line(), position.column(), path, message));
    }

    public void report(Located<?> located, String message) {
        report(located.position(), located.path(), message);
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public int count() {
        return errors.size();
    }

    /** The errors in file order (line, then column); equal positions keep the order they were found in. */
    public List<ConfigError> inFileOrder() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
        return List.copyOf(sorted);
    }
}
