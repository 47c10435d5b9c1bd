package io.podswitch.config.validate;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.load.Located;
import io.podswitch.config.load.LocatedList;
import io.podswitch.config.load.Problems;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Rules about address families: {@code ipFamilies} itself, and every per-family list (one entry per listed
 * family, none of an unlisted family, primary family first) plus the ban on IPv4-mapped IPv6 addresses.
 */
final class FamilyRules {

    private final Problems problems;

    FamilyRules(Problems problems) {
        this.problems = problems;
    }

    /** The listed families if {@code ipFamilies} is valid, else empty (after reporting why). */
    Optional<List<IpFamily>> ipFamilies(LocatedList<IpFamily> list) {
        if (!list.present()) {
            problems.report(list.position(), "ipFamilies", "is missing; write [IPv4], [IPv6], [IPv4, IPv6] or [IPv6, IPv4]");
            return Optional.empty();
        }
        if (!list.complete()) {
            return Optional.empty();
        }
        if (list.isEmpty()) {
            problems.report(list.position(), list.path(), "lists no family; write [IPv4], [IPv6], [IPv4, IPv6] or [IPv6, IPv4]");
            return Optional.empty();
        }
        Set<IpFamily> seen = EnumSet.noneOf(IpFamily.class);
        for (Located<IpFamily> family : list.items()) {
            if (!seen.add(family.value())) {
                problems.report(family, family.value() + " is listed twice; list each family once");
                return Optional.empty();
            }
        }
        return Optional.of(list.items().stream().map(Located::value).toList());
    }

    /**
     * One entry per family of {@code families}, in that order, none of another family.
     *
     * @param what     what an entry is, for messages: "range" or "address"
     * @param required whether an absent list is an error
     */
    <T> void perFamily(LocatedList<T> list, List<IpFamily> families, Function<T, IpFamily> familyOf, String what,
                       boolean required) {
        if (!list.present()) {
            if (required) {
                problems.report(list.position(), list.path(), "is missing; give one " + familiesPhrase(families, what));
            }
            return;
        }
        Set<IpFamily> seen = EnumSet.noneOf(IpFamily.class);
        boolean clean = true;
        for (Located<T> item : list.items()) {
            IpFamily family = familyOf.apply(item.value());
            if (!families.contains(family)) {
                problems.report(item, item.value() + " is an " + family + " " + what + " but ipFamilies does not list " + family);
                clean = false;
            } else if (!seen.add(family)) {
                problems.report(item, item.value() + " is a second " + family + " " + what + "; give one " + what + " per family");
                clean = false;
            }
        }
        if (!list.complete() || !clean) {
            return;
        }
        for (IpFamily family : families) {
            if (!seen.contains(family)) {
                problems.report(list.position(), list.path(), "has no " + family + " " + what + " but ipFamilies lists "
                        + family + "; give one " + familiesPhrase(families, what));
                return;
            }
        }
        IpFamily first = familyOf.apply(list.items().getFirst().value());
        if (families.size() == 2 && first != families.getFirst()) {
            problems.report(list.items().getFirst(), "lists " + first + " first but the primary family (first in ipFamilies) is "
                    + families.getFirst() + "; list entries in ipFamilies order");
        }
    }

    /** Reports IPv4-mapped IPv6 addresses: an IPv4 address in disguise is ambiguous in a per-family list. */
    void noMappedAddresses(LocatedList<IpAddress> list) {
        for (Located<IpAddress> item : list.items()) {
            if (item.value() instanceof Ip6Address v6 && v6.isIpv4Mapped()) {
                problems.report(item, item.value() + " is an IPv4-mapped IPv6 address; write the IPv4 address "
                        + v6.embeddedIpv4() + " instead");
            }
        }
    }

    void noMappedRanges(LocatedList<Cidr> list) {
        for (Located<Cidr> item : list.items()) {
            if (item.value().network() instanceof Ip6Address v6 && item.value().prefixLength() >= 96 && v6.isIpv4Mapped()) {
                problems.report(item, item.value() + " is an IPv4-mapped IPv6 range; write the IPv4 range instead");
            }
        }
    }

    static String familiesPhrase(List<IpFamily> families, String what) {
        if (families.size() == 1) {
            return families.getFirst() + " " + what;
        }
        return what + " for each of " + families.stream().map(IpFamily::displayName).collect(Collectors.joining(", "))
                + " (in that order)";
    }
}
