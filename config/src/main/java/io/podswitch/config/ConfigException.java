package io.podswitch.config;

import java.util.List;

/** A configuration that could not be loaded; {@link #errors()} lists every problem found, in file order. */
public final class ConfigException extends Exception {

    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(summary(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }

    private static String summary(List<ConfigError> errors) {
        StringBuilder text = new StringBuilder();
        text.append(errors.size()).append(errors.size() == 1 ? " configuration error" : " configuration errors");
        for (ConfigError error : errors) {
            text.append(System.lineSeparator()).append(error.format());
        }
        return text.toString();
    }
}
