package io.podswitch.config.model.policy;

import java.util.Objects;

/**
 * The identity of a namespaced API object — a pod, a NetworkPolicy — as {@code "namespace/name"} (Kubernetes'
 * {@code types.NamespacedName}).
 */
public record NamespacedName(String namespace, String name) implements Comparable<NamespacedName> {

    public NamespacedName {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        if (namespace.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("an object needs a namespace and a name: '" + namespace + "/" + name + "'");
        }
    }

    /** Parses {@code "namespace/name"}. */
    public static NamespacedName parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("'" + text + "' is not namespace/name");
        }
        return new NamespacedName(text.substring(0, slash), text.substring(slash + 1));
    }

    @Override
    public int compareTo(NamespacedName o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
