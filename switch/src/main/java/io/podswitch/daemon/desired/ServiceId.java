package io.podswitch.daemon.desired;

import java.util.Objects;

/**
 * A service's identity. From the API: its namespace and name ({@code "default/web"}). From the cluster
 * file: the name the file gives it, with an empty namespace ({@code "web"}).
 */
public record ServiceId(String namespace, String name) implements Comparable<ServiceId> {

    public ServiceId {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a service needs a name");
        }
    }

    /** A service named in the cluster file (no namespace). */
    public static ServiceId ofFile(String name) {
        return new ServiceId("", name);
    }

    /** Parses {@code "namespace/name"} or a bare {@code "name"} (a file service). */
    public static ServiceId parse(String text) {
        int slash = text.indexOf('/');
        return slash < 0 ? ofFile(text) : new ServiceId(text.substring(0, slash), text.substring(slash + 1));
    }

    @Override
    public int compareTo(ServiceId o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }
}
