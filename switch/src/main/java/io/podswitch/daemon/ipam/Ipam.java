package io.podswitch.daemon.ipam;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's pod address allocator: one address per family per attachment from the node's pod
 * CIDR(s), durable before it answers, as the host-local plugin behaves:
 * <ul>
 *   <li>never the network, gateway or broadcast address;</li>
 *   <li>the search for a free address starts after the last one handed out, so a just-released
 *       address is not reused until the range wraps (a late packet for a dead pod does not reach
 *       its successor);</li>
 *   <li>ADD for an attachment that already has addresses returns them (runtimes retry);</li>
 *   <li>release and GC are idempotent.</li>
 * </ul>
 * Control-plane only: methods are synchronized, so concurrent ADDs can never get the same address;
 * the state file is rewritten and fsynced before a method returns, and in-memory state changes only
 * after the write succeeded.
 */
public final class Ipam {
    private final List<IpRange> ranges;
    private final IpamStateFile stateFile;
    private final Map<Boolean, BigInteger> last = new HashMap<>();
    private final Map<Attachment, List<InetAddress>> byAttachment = new LinkedHashMap<>();
    private final Map<InetAddress, Attachment> byAddress = new HashMap<>();

    /**
     * @param ranges one range per family, primary family first
     * @param stateFile where allocations live; read now (recovery after restart)
     */
    public Ipam(List<IpRange> ranges, Path stateFile) throws IpamException {
        if (ranges.isEmpty() || ranges.size() > 2 || (ranges.size() == 2 && ranges.get(0).isIpv4() == ranges.get(1).isIpv4())) {
            throw new IpamException(IpamException.Reason.INVALID_REQUEST, "IPAM needs one range per family, at most two: " + ranges);
        }
        this.ranges = List.copyOf(ranges);
        this.stateFile = new IpamStateFile(stateFile);
        IpamStateFile.State state = this.stateFile.read();
        state.last().forEach((v4, a) -> last.put(v4, IpRange.toValue(a)));
        for (IpamStateFile.Entry e : state.allocations()) {
            IpRange range = rangeFor(e.address() instanceof Inet4Address);
            if (range == null || !range.isAssignable(IpRange.toValue(e.address()))) {
                // The node's pod CIDR changed under existing pods: keep the record (the pod still
                // has the address) but say so; the operator must drain the node.
                throw new IpamException(IpamException.Reason.STORAGE, stateFile + ": allocation " + e.address().getHostAddress()
                        + " for " + e.attachment() + " is outside the node's pod ranges " + ranges);
            }
            byAttachment.computeIfAbsent(e.attachment(), k -> new ArrayList<>()).add(e.address());
            byAddress.put(e.address(), e.attachment());
        }
    }

    public List<IpRange> ranges() {
        return ranges;
    }

    private IpRange rangeFor(boolean ipv4) {
        for (IpRange r : ranges) {
            if (r.isIpv4() == ipv4) {
                return r;
            }
        }
        return null;
    }

    /**
     * Allocates one address per family for the attachment, primary family first.
     * @param requested addresses the runtime asked for (CNI_ARGS IP=, runtimeConfig.ips); at most one
     *                  per family; a family without a request gets the next free address
     */
    public synchronized List<InetAddress> allocate(Attachment attachment, Collection<InetAddress> requested) throws IpamException {
        List<InetAddress> existing = byAttachment.get(attachment);
        if (existing != null) {
            if (!requested.isEmpty() && !existing.containsAll(requested)) {
                throw new IpamException(IpamException.Reason.CONFLICT, attachment + " already holds " + format(existing)
                        + ", not the requested " + format(requested));
            }
            return List.copyOf(existing);
        }
        Map<Boolean, InetAddress> wanted = new HashMap<>();
        for (InetAddress a : requested) {
            boolean v4 = a instanceof Inet4Address;
            IpRange range = rangeFor(v4);
            if (range == null) {
                throw new IpamException(IpamException.Reason.INVALID_REQUEST, "requested " + a.getHostAddress()
                        + " but this node has no " + (v4 ? "IPv4" : "IPv6") + " pod range");
            }
            if (wanted.put(v4, a) != null) {
                throw new IpamException(IpamException.Reason.INVALID_REQUEST, "more than one " + (v4 ? "IPv4" : "IPv6") + " address requested");
            }
            if (!range.isAssignable(IpRange.toValue(a))) {
                throw new IpamException(IpamException.Reason.INVALID_REQUEST, "requested " + a.getHostAddress()
                        + " is not assignable in " + range + " (network, gateway and broadcast are reserved)");
            }
            Attachment holder = byAddress.get(a);
            if (holder != null) {
                throw new IpamException(IpamException.Reason.CONFLICT, "requested " + a.getHostAddress() + " is held by " + holder);
            }
        }
        List<InetAddress> chosen = new ArrayList<>();
        Map<Boolean, BigInteger> newLast = new HashMap<>(last);
        for (IpRange range : ranges) {
            InetAddress a = wanted.get(range.isIpv4());
            if (a == null) {
                a = nextFree(range);
                newLast.put(range.isIpv4(), IpRange.toValue(a));
            }
            chosen.add(a);
        }
        persist(newLast, attachment, chosen, null);
        last.clear();
        last.putAll(newLast);
        byAttachment.put(attachment, chosen);
        for (InetAddress a : chosen) {
            byAddress.put(a, attachment);
        }
        return List.copyOf(chosen);
    }

    private InetAddress nextFree(IpRange range) throws IpamException {
        BigInteger previous = last.get(range.isIpv4());
        BigInteger start = previous == null || !range.isAssignable(previous) ? range.first() : previous.add(BigInteger.ONE);
        if (start.compareTo(range.last()) > 0) {
            start = range.first();
        }
        BigInteger candidate = start;
        // Visits each assignable address at most once; holders are few, so for an IPv6 /64 the loop
        // ends after a handful of steps, and for an IPv4 /24 after at most 253.
        BigInteger limit = range.size().min(BigInteger.valueOf(byAddress.size() + 1L));
        for (BigInteger step = BigInteger.ZERO; step.compareTo(limit) < 0; step = step.add(BigInteger.ONE)) {
            InetAddress a = range.toAddress(candidate);
            if (!byAddress.containsKey(a)) {
                return a;
            }
            candidate = candidate.equals(range.last()) ? range.first() : candidate.add(BigInteger.ONE);
        }
        throw new IpamException(IpamException.Reason.EXHAUSTED, "no free address in " + range + ": all "
                + range.size() + " pod addresses are allocated");
    }

    /** Frees the attachment's addresses; unknown attachments are fine (DEL is idempotent). */
    public synchronized List<InetAddress> release(Attachment attachment) throws IpamException {
        List<InetAddress> held = byAttachment.get(attachment);
        if (held == null) {
            return List.of();
        }
        persist(last, null, null, Set.of(attachment));
        byAttachment.remove(attachment);
        held.forEach(byAddress::remove);
        return held;
    }

    /** Frees every attachment not in {@code valid} (CNI GC). @return the attachments freed */
    public synchronized List<Attachment> retainOnly(Set<Attachment> valid) throws IpamException {
        Set<Attachment> stale = new HashSet<>(byAttachment.keySet());
        stale.removeAll(valid);
        if (stale.isEmpty()) {
            return List.of();
        }
        persist(last, null, null, stale);
        for (Attachment a : stale) {
            byAttachment.remove(a).forEach(byAddress::remove);
        }
        return List.copyOf(stale);
    }

    public synchronized List<InetAddress> addressesOf(Attachment attachment) {
        List<InetAddress> held = byAttachment.get(attachment);
        return held == null ? List.of() : List.copyOf(held);
    }

    /** Every allocation, in allocation order. */
    public synchronized Map<Attachment, List<InetAddress>> allocations() {
        Map<Attachment, List<InetAddress>> copy = new LinkedHashMap<>();
        byAttachment.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    public synchronized int allocatedCount() {
        return byAddress.size();
    }

    /** Writes the state as it will be after the change; throws without touching memory on failure. */
    private void persist(Map<Boolean, BigInteger> newLast, Attachment added, List<InetAddress> addedAddresses,
                         Set<Attachment> removed) throws IpamException {
        Map<Boolean, InetAddress> lastAddresses = new LinkedHashMap<>();
        for (IpRange r : ranges) {
            BigInteger v = newLast.get(r.isIpv4());
            if (v != null) {
                lastAddresses.put(r.isIpv4(), r.toAddress(v));
            }
        }
        List<IpamStateFile.Entry> entries = new ArrayList<>();
        byAttachment.forEach((att, addresses) -> {
            if (removed == null || !removed.contains(att)) {
                addresses.forEach(a -> entries.add(new IpamStateFile.Entry(att, a)));
            }
        });
        if (added != null) {
            addedAddresses.forEach(a -> entries.add(new IpamStateFile.Entry(added, a)));
        }
        stateFile.write(new IpamStateFile.State(lastAddresses, entries));
    }

    private static String format(Collection<InetAddress> addresses) {
        return addresses.stream().map(IpAddresses::format).toList().toString();
    }
}
