package io.podswitch.config.validate;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.load.Located;
import io.podswitch.config.load.LocatedList;
import io.podswitch.config.load.MasqueradeSpec;
import io.podswitch.config.load.Problems;
import io.podswitch.config.model.MasqueradeConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code masquerade:} and {@code nonMasqueradeCIDRs:}: every range of a listed family, none listed
 * twice, not too many, and no list when masquerading is off (it would do nothing).
 */
final class MasqueradeRules {
    /** Bounds the nf_tables transaction podswitchd sends (ip-masq-agent lists are a handful of ranges). */
    static final int MAX_NON_MASQUERADE_CIDRS = 1000;

    private final Problems problems;
    private final FamilyRules familyRules;

    MasqueradeRules(Problems problems, FamilyRules familyRules) {
        this.problems = problems;
        this.familyRules = familyRules;
    }

    MasqueradeConfig check(MasqueradeSpec spec, Optional<List<IpFamily>> families) {
        boolean enabled = spec.enabled().map(Located::value).orElse(MasqueradeConfig.DEFAULT.enabled());
        LocatedList<Cidr> list = spec.nonMasqueradeCidrs();
        if (!enabled && !list.isEmpty()) {
            problems.report(list.position(), list.path(), "has no effect with masquerade: false (nothing is masqueraded); "
                    + "remove it or set masquerade: true");
        }
        if (list.items().size() > MAX_NON_MASQUERADE_CIDRS) {
            problems.report(list.position(), list.path(), "lists " + list.items().size() + " ranges; at most "
                    + MAX_NON_MASQUERADE_CIDRS + " are allowed (merge neighbouring ranges)");
        }
        familyRules.noMappedRanges(list);
        Map<Cidr, Located<Cidr>> seen = new HashMap<>();
        for (Located<Cidr> item : list.items()) {
            Cidr cidr = item.value();
            if (families.isPresent() && !families.get().contains(cidr.family())) {
                problems.report(item, cidr + " is an " + cidr.family() + " range but ipFamilies does not list " + cidr.family());
            }
            Located<Cidr> first = seen.putIfAbsent(cidr, item);
            if (first != null) {
                problems.report(item, cidr + " is listed twice (first as " + first.path() + ")");
            }
        }
        return new MasqueradeConfig(enabled, list.items().stream().map(Located::value).toList());
    }
}
