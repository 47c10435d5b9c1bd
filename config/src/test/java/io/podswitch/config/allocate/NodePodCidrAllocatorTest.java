package io.podswitch.config.allocate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class NodePodCidrAllocatorTest {

    private static final Cidr RANGE = Cidr.parse("10.244.0.0/20");
    private static final Cidr RANGE6 = Cidr.parse("fd00:10:244::/56");

    private static Optional<Cidr> cidr(String text) {
        return Optional.of(Cidr.parse(text));
    }

    @Test
    void nodesWithoutCidrsTakeTheLowestFreeSubnetsInFileOrder() {
        List<Optional<Cidr>> result = NodePodCidrAllocator.allocate(RANGE, 24,
                List.of(Optional.empty(), cidr("10.244.1.0/24"), Optional.empty(), Optional.empty()));
        assertEquals(List.of(cidr("10.244.0.0/24"), cidr("10.244.1.0/24"), cidr("10.244.2.0/24"), cidr("10.244.3.0/24")), result);
    }

    @Test
    void explicitCidrsAreReservedBeforeAnyAllocation() {
        // The explicit CIDR of the last node is 10.244.0.0/24: the first node must not get it.
        List<Optional<Cidr>> result = NodePodCidrAllocator.allocate(RANGE, 24,
                List.of(Optional.empty(), Optional.empty(), cidr("10.244.0.0/24")));
        assertEquals(List.of(cidr("10.244.1.0/24"), cidr("10.244.2.0/24"), cidr("10.244.0.0/24")), result);
    }

    @Test
    void ipv6AllocationCountsSubnetsFromTheRangeStart() {
        List<Optional<Cidr>> result = NodePodCidrAllocator.allocate(RANGE6, 64, List.of(Optional.empty(), Optional.empty()));
        assertEquals(List.of(cidr("fd00:10:244::/64"), cidr("fd00:10:244:1::/64")), result);
    }

    @Test
    void aFullRangeLeavesTheRemainingNodesEmpty() {
        List<Optional<Cidr>> result = NodePodCidrAllocator.allocate(Cidr.parse("10.0.0.0/23"), 24,
                List.of(Optional.empty(), cidr("10.0.1.0/24"), Optional.empty()));
        assertEquals(List.of(cidr("10.0.0.0/24"), cidr("10.0.1.0/24"), Optional.empty()), result);
    }

    @Test
    void invalidInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> NodePodCidrAllocator.allocate(RANGE, 16, List.of()));
        assertThrows(IllegalArgumentException.class, () -> NodePodCidrAllocator.allocate(RANGE6, 128, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> NodePodCidrAllocator.allocate(RANGE, 24, List.of(cidr("10.245.0.0/24"))));
        assertThrows(IllegalArgumentException.class,
                () -> NodePodCidrAllocator.allocate(RANGE, 24, List.of(cidr("10.244.0.0/25"))));
    }

    /** Random node lists: each node either explicit (a distinct subnet index) or to be allocated. */
    private static List<Optional<Cidr>> nodes(List<Integer> explicitIndexes) {
        List<Optional<Cidr>> nodes = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        for (int index : explicitIndexes) {
            nodes.add(index < 0 || !used.add(index) ? Optional.empty() : Optional.of(RANGE.subnet(24, index)));
        }
        return nodes;
    }

    @Property(tries = 300)
    void sameInputGivesTheSameAllocation(@ForAll @Size(max = 16) List<@IntRange(min = -8, max = 15) Integer> spec) {
        List<Optional<Cidr>> nodes = nodes(spec);
        assertEquals(NodePodCidrAllocator.allocate(RANGE, 24, nodes), NodePodCidrAllocator.allocate(RANGE, 24, nodes));
    }

    @Property(tries = 300)
    void allocationsAreDistinctInsideTheRangeAndKeepExplicitOnes(
            @ForAll @Size(max = 16) List<@IntRange(min = -8, max = 15) Integer> spec) {
        List<Optional<Cidr>> nodes = nodes(spec);
        List<Optional<Cidr>> result = NodePodCidrAllocator.allocate(RANGE, 24, nodes);
        Set<Cidr> seen = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).isPresent()) {
                assertEquals(nodes.get(i), result.get(i));
            }
            Cidr got = result.get(i).orElseThrow(); // 16 subnets, at most 16 nodes: always room
            assertTrue(RANGE.contains(got));
            assertEquals(24, got.prefixLength());
            assertTrue(seen.add(got), "allocated twice: " + got);
        }
    }

    @Property(tries = 300)
    void appendingNodesWithoutCidrsNeverMovesExistingAllocations(
            @ForAll @Size(max = 10) List<@IntRange(min = -8, max = 15) Integer> spec,
            @ForAll @IntRange(min = 1, max = 6) int appended) {
        List<Optional<Cidr>> nodes = nodes(spec);
        List<Optional<Cidr>> before = NodePodCidrAllocator.allocate(RANGE, 24, nodes);
        List<Optional<Cidr>> grown = new ArrayList<>(nodes);
        for (int i = 0; i < appended; i++) {
            grown.add(Optional.empty());
        }
        List<Optional<Cidr>> after = NodePodCidrAllocator.allocate(RANGE, 24, grown);
        assertEquals(before, after.subList(0, nodes.size()));
    }
}
