package io.podswitch.config.allocate;

import io.podswitch.config.cidr.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Gives every node without a pod CIDR one from the cluster pod range, for one address family, the way
 * kube-controller-manager's range allocator does, but as a pure function of the file:
 * <ol>
 *   <li>every explicit node pod CIDR is reserved first;</li>
 *   <li>then nodes are visited in file order and each node without one takes the lowest-numbered free
 *       subnet of the node mask size.</li>
 * </ol>
 * The same input always gives the same output. A node's allocation depends only on the reserved CIDRs and
 * on the nodes before it, so appending nodes without explicit CIDRs never moves an existing allocation.
 */
public final class NodePodCidrAllocator {

    /** kube-controller-manager refuses more than 16 bits between cluster and node mask (65536 nodes). */
    public static final int MAX_EXTRA_BITS = 16;

    private NodePodCidrAllocator() {
    }

    /**
     * @param clusterRange the cluster pod range of this family
     * @param maskSize     node pod CIDR prefix length, {@code clusterRange.prefixLength()..+16}
     * @param explicit     per node in file order: its pod CIDR from the file (inside the range, of
     *                     {@code maskSize}, not overlapping each other), or empty
     * @return per node: its pod CIDR, or empty where the range had no free subnet left
     */
    public static List<Optional<Cidr>> allocate(Cidr clusterRange, int maskSize, List<Optional<Cidr>> explicit) {
        int extraBits = maskSize - clusterRange.prefixLength();
        if (extraBits < 0 || extraBits > MAX_EXTRA_BITS || maskSize > clusterRange.family().bits()) {
            throw new IllegalArgumentException("node mask /" + maskSize + " does not fit " + clusterRange);
        }
        Set<Long> reserved = new HashSet<>();
        for (Optional<Cidr> cidr : explicit) {
            cidr.ifPresent(c -> {
                if (c.prefixLength() != maskSize || !clusterRange.contains(c)) {
                    throw new IllegalArgumentException(c + " is not a /" + maskSize + " inside " + clusterRange);
                }
                reserved.add(clusterRange.subnetIndexOf(c));
            });
        }
        long subnetCount = clusterRange.subnetCount(maskSize);
        long next = 0;
        List<Optional<Cidr>> result = new ArrayList<>(explicit.size());
        for (Optional<Cidr> cidr : explicit) {
            if (cidr.isPresent()) {
                result.add(cidr);
                continue;
            }
            while (next < subnetCount && reserved.contains(next)) {
                next++;
            }
            if (next >= subnetCount) {
                result.add(Optional.empty());
            } else {
                result.add(Optional.of(clusterRange.subnet(maskSize, next)));
                next++;
            }
        }
        return List.copyOf(result);
    }
}
