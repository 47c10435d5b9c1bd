package io.podswitch.config.model.policy;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A namespace as NetworkPolicy sees it: its name and labels. The API server gives every namespace the
 * label {@code kubernetes.io/metadata.name=<name>}; {@link #of} adds it when a source (the cluster file, a
 * mock API server) does not, so selectors on it work the same everywhere.
 */
public record NamespaceInfo(String name, Map<String, String> labels) {

    /** The label the API server sets on every namespace (immutable, equal to its name). */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    public NamespaceInfo {
        Objects.requireNonNull(name, "name");
        labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    /** A namespace with these labels and the {@link #NAME_LABEL} label (which wins over a conflicting one). */
    public static NamespaceInfo of(String name, Map<String, String> labels) {
        Map<String, String> all = new TreeMap<>(labels);
        all.put(NAME_LABEL, name);
        return new NamespaceInfo(name, all);
    }
}
