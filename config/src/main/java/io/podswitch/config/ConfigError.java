package io.podswitch.config;

/**
 * One problem in a configuration file. {@code line} and {@code column} are 1-based, 0 when unknown (a file
 * that cannot be read); {@code path} names the field like {@code nodes[1].podCIDRs[0]}, empty when the
 * problem is not in a field (YAML syntax).
 */
public record ConfigError(String file, int line, int column, String path, String message) {

    /** {@code cluster.yaml:12:7: nodes[1].podCIDRs[0]: 10.244.1.0/25 has mask /25 but ...}. */
    public String format() {
        StringBuilder text = new StringBuilder(file);
        if (line > 0) {
            text.append(':').append(line).append(':').append(column);
        }
        text.append(": ");
        if (!path.isEmpty()) {
            text.append(path).append(": ");
        }
        return text.append(message).toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
