package io.podswitch.config.load;

import io.podswitch.config.cidr.Cidr;
import java.util.List;
import java.util.Optional;

/** The top-level {@code masquerade:} and {@code nonMasqueradeCIDRs:} keys as written. */
public record MasqueradeSpec(Optional<Located<Boolean>> enabled, LocatedList<Cidr> nonMasqueradeCidrs) {

    /** Their YAML keys (part of the top level's known keys). */
    public static final List<String> KEYS = List.of("masquerade", "nonMasqueradeCIDRs");

    /** Reads both keys from the top-level mapping. */
    static MasqueradeSpec read(Fields top, NodeReader reader) {
        return new MasqueradeSpec(
                top.get("masquerade").flatMap(n -> reader.bool(n, "masquerade")),
                reader.list(top.get("nonMasqueradeCIDRs"), top.position(), "nonMasqueradeCIDRs",
                        (n, p) -> reader.parsed(n, p, Cidr::parse)));
    }
}
