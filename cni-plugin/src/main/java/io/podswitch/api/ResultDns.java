package io.podswitch.api;

import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;
import java.util.List;

/** The {@code dns} dictionary of a network config and of a CNI result; lists are never null. */
public record ResultDns(List<String> nameservers, String domain, List<String> search, List<String> options) {
    public static final ResultDns EMPTY = new ResultDns(List.of(), null, List.of(), List.of());

    public ResultDns {
        nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
        search = search == null ? List.of() : List.copyOf(search);
        options = options == null ? List.of() : List.copyOf(options);
        domain = domain == null || domain.isEmpty() ? null : domain;
    }

    public boolean isEmpty() {
        return nameservers.isEmpty() && domain == null && search.isEmpty() && options.isEmpty();
    }

    public JsonObject toJson() {
        return new ObjectBuilder().putIfNotEmpty("nameservers", nameservers).putIfNotNull("domain", domain)
                .putIfNotEmpty("search", search).putIfNotEmpty("options", options).build();
    }

    /** Reads a dns dictionary; null reader (member absent) gives {@link #EMPTY}. */
    public static ResultDns fromJson(ObjectReader r) {
        if (r == null) {
            return EMPTY;
        }
        return new ResultDns(r.optionalStringList("nameservers"), r.optionalString("domain"),
                r.optionalStringList("search"), r.optionalStringList("options"));
    }
}
