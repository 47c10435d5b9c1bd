package io.podswitch.daemon.pod;

import io.podswitch.api.ApiError;
import io.podswitch.api.Attachment;
import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniResult;
import io.podswitch.api.GcRequest;
import io.podswitch.api.ResultDns;
import io.podswitch.api.ResultInterface;
import io.podswitch.api.ResultIp;
import io.podswitch.api.ResultRoute;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.engine.CounterRegistry;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.ipam.IpAddresses;
import io.podswitch.daemon.ipam.IpRange;
import io.podswitch.daemon.ipam.Ipam;
import io.podswitch.daemon.ipam.IpamException;
import io.podswitch.nativeio.Libc;
import io.podswitch.port.tap.TapPort;
import io.podswitch.port.tap.TapPortConfig;
import io.podswitch.port.tap.TapSteering;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wires, checks and unwires pod attachments: IPAM, the TAP in the pod's netns, the switch's port,
 * interface and routes, and the durable registry — the daemon's CNI ADD/DEL/CHECK/GC/STATUS.
 *
 * <p><b>Control thread only</b>: every method runs on the daemon's one control thread, so requests
 * are serialized and nothing here locks. (Namespace work runs on short-lived platform threads inside
 * {@link io.podswitch.nativeio.Netns#call}, which the control thread waits for.)
 *
 * <p>ADD either completes or leaves nothing behind: each step pushes its undo, and a failure runs the
 * undos in reverse (routes, port, adjacency, TAP, port id, addresses). The answer goes out only after
 * the IPAM state and the pod registry are on disk.
 */
public final class PodManager {
    private final SwitchEngine engine;
    private final Ipam ipam;
    private final PodStore store;
    private final List<IpRange> ranges;
    private final int defaultMtu;
    private final CounterRegistry counters;
    private final Set<io.podswitch.daemon.ipam.Attachment> reserved;
    private final Map<Attachment, PodPort> live = new LinkedHashMap<>();
    private final PodSwitchSide switchSide;
    /** Deletes the TAPs of DELeted pods after DEL has answered. */
    private final TapCloser tapCloser = new TapCloser();
    /** Multi-queue pod TAPs with sparse/heavy flow steering; null: one queue per pod. */
    private final TapSteering steering;
    private PodListener listener = PodListener.NONE;

    /**
     * @param ranges     the node's pod CIDRs, primary family first (as IPAM holds them)
     * @param switchMac  the switch's own MAC on every pod port (the gateway's MAC as pods see it)
     * @param defaultMtu pod MTU when the request names none
     * @param reserved   IPAM attachments that are not pods (the host port's addresses): never collected
     */
    public PodManager(SwitchEngine engine, Ipam ipam, PodStore store, long switchMac, int defaultMtu,
                      CounterRegistry counters, Set<io.podswitch.daemon.ipam.Attachment> reserved) {
        this(engine, ipam, store, switchMac, defaultMtu, counters, reserved, null);
    }

    /** @param steering multi-queue pod TAPs with sparse/heavy flow steering, or null for one queue per pod */
    public PodManager(SwitchEngine engine, Ipam ipam, PodStore store, long switchMac, int defaultMtu,
                      CounterRegistry counters, Set<io.podswitch.daemon.ipam.Attachment> reserved,
                      TapSteering steering) {
        this.steering = steering;
        this.engine = engine;
        this.ipam = ipam;
        this.store = store;
        this.ranges = ipam.ranges();
        this.defaultMtu = defaultMtu;
        this.counters = counters;
        this.reserved = Set.copyOf(reserved);
        this.switchSide = new PodSwitchSide(engine, ipam.ranges(), switchMac, counters);
    }

    /** Who hears about pods wired and unwired (NetworkPolicy); set before {@link #recover}. */
    public void setListener(PodListener listener) {
        this.listener = listener;
    }

    // ---------------------------------------------------------------- ADD

    public CniResult add(AttachmentRequest request) throws ApiException {
        Attachment attachment = request.attachment();
        PodPort existing = live.get(attachment);
        if (existing != null) {
            if (existing.record().netns().equals(request.netns())) {
                return result(existing.record(), request.dns()); // a runtime retrying its ADD
            }
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "attachment exists in another netns",
                    attachment.containerId() + "/" + attachment.ifName() + " is wired in " + existing.record().netns());
        }
        checkIfName(request.ifName());
        int mtu = request.mtu() > 0 ? request.mtu() : defaultMtu;
        if (mtu < 68 || mtu > TapPortConfig.MAX_MTU) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "unsupported MTU",
                    "pod MTU " + mtu + " outside 68.." + TapPortConfig.MAX_MTU + " (TAP frames must fit the 2 KiB frame)");
        }
        long mac = requestedMac(request);
        List<InetAddress> requested = requestedAddresses(request);
        int netnsFd = PodNetns.open(request.netns());
        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            io.podswitch.daemon.ipam.Attachment ipamKey = ipamKey(attachment);
            List<InetAddress> addresses = allocate(ipamKey, requested);
            undo.push(() -> releaseQuietly(ipamKey));
            int portId = allocatePortId();
            undo.push(() -> engine.releasePortId(portId));
            String label = label(attachment);
            TapPort tap;
            tapCloser.awaitClosed(request.netns(), request.ifName());
            try {
                tap = PodNetns.wire(netnsFd, label, portId, request.ifName(), mtu, mac, addresses, ranges, steering);
            } catch (RuntimeException e) {
                throw new ApiException(ApiError.INTERFACE_SETUP_FAILED, "interface setup failed", e.getMessage(), e);
            }
            undo.push(() -> PodNetns.closeAndDelete(tap, null));
            PodRecord record = new PodRecord(request.network(), attachment, request.netns(), mac, mtu, addresses,
                    Instant.now().toString(), PodRecord.podOf(request.args()));
            PodPort port = switchSide.install(record, tap, undo);
            try {
                store.put(record);
            } catch (IOException e) {
                throw new ApiException(ApiError.IO_FAILURE, "cannot record the pod", e.getMessage(), e);
            }
            live.put(attachment, port);
            counters.register(port.counters());
            listener.wired(record);
            return result(record, request.dns());
        } catch (ApiException e) {
            runUndo(undo, e);
            throw e;
        } catch (RuntimeException e) {
            runUndo(undo, e);
            throw new ApiException(ApiError.INTERFACE_SETUP_FAILED, "interface setup failed", String.valueOf(e.getMessage()), e);
        } finally {
            Libc.close(netnsFd);
        }
    }

    static void runUndo(Deque<Runnable> undo, Throwable failure) {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }

    private List<InetAddress> allocate(io.podswitch.daemon.ipam.Attachment key, List<InetAddress> requested)
            throws ApiException {
        try {
            return ipam.allocate(key, requested);
        } catch (IpamException e) {
            int code = switch (e.reason()) {
                case EXHAUSTED -> ApiError.ADDRESS_EXHAUSTED;
                case STORAGE -> ApiError.IO_FAILURE;
                case CONFLICT, INVALID_REQUEST -> ApiError.INVALID_NETWORK_CONFIG;
            };
            throw new ApiException(code, code == ApiError.ADDRESS_EXHAUSTED ? "no free address" : "address allocation failed",
                    e.getMessage(), e);
        }
    }

    private int allocatePortId() throws ApiException {
        try {
            return engine.allocatePortId();
        } catch (IllegalStateException e) {
            throw new ApiException(ApiError.TRY_AGAIN_LATER, "switch is full", e.getMessage(), e);
        }
    }

    private static void checkIfName(String ifName) throws ApiException {
        boolean ok = ifName != null && !ifName.isEmpty() && ifName.length() <= 15 && !ifName.equals(".")
                && !ifName.equals("..");
        if (ok) {
            for (int i = 0; i < ifName.length(); i++) {
                char c = ifName.charAt(i);
                if (c == '/' || c == ':' || c <= ' ' || c > '~') {
                    ok = false;
                    break;
                }
            }
        }
        if (!ok) {
            throw new ApiException(ApiError.INVALID_ENVIRONMENT, "invalid interface name", "'" + ifName + "'");
        }
    }

    private static long requestedMac(AttachmentRequest request) throws ApiException {
        if (request.mac() == null || request.mac().isEmpty()) {
            return PodMacs.derive(request.containerId(), request.ifName());
        }
        long mac;
        try {
            mac = AddressBits.parseMac(request.mac());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid MAC", e.getMessage());
        }
        if (AddressBits.isMulticastMac(mac) || mac == 0) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid MAC",
                    request.mac() + " is not a unicast address");
        }
        return mac;
    }

    private static List<InetAddress> requestedAddresses(AttachmentRequest request) throws ApiException {
        List<InetAddress> out = new ArrayList<>();
        for (String ip : request.ips()) {
            int slash = ip.indexOf('/');
            try {
                out.add(IpAddresses.parse(slash < 0 ? ip : ip.substring(0, slash)));
            } catch (IllegalArgumentException e) {
                throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid requested address", e.getMessage());
            }
        }
        return out;
    }

    private CniResult result(PodRecord record, ResultDns dns) {
        List<ResultIp> ips = new ArrayList<>();
        List<ResultRoute> routes = new ArrayList<>();
        for (IpRange range : ranges) {
            for (InetAddress address : record.addresses()) {
                if (AddressBits.isIp4(address) == range.isIpv4()) {
                    String gateway = IpAddresses.format(range.gateway());
                    ips.add(new ResultIp(IpAddresses.format(address) + "/" + range.prefixLength(), gateway, 0));
                    routes.add(ResultRoute.of(range.isIpv4() ? "0.0.0.0/0" : "::/0", gateway));
                }
            }
        }
        ResultInterface iface = new ResultInterface(record.attachment().ifName(), AddressBits.formatMac(record.mac()),
                record.mtu(), record.netns(), null, null);
        return new CniResult(List.of(iface), ips, routes, dns);
    }

    // ---------------------------------------------------------------- DEL

    /**
     * Unwires the attachment if it is wired and releases its addresses; unknown attachments are fine.
     * An unknown attachment may still have left its interface in the pod's netns — a daemon killed
     * between creating the TAP and recording the pod forgets it on restart — so, as the spec asks of
     * DEL, the interface named {@code ifName} in the given netns is removed too.
     *
     * <p>DEL answers once the pod is out of the data path, its TAP no longer persistent and the release
     * on disk; the kernel's removal of the TAP follows on the {@link TapCloser}'s thread (it is most of
     * a DEL's time, and a crash cannot leak the TAP any more: the kernel closes a dead daemon's
     * descriptors, and with them the device).
     */
    public void del(AttachmentRequest request) throws ApiException {
        Attachment attachment = request.attachment();
        PodPort port = live.remove(attachment);
        if (port != null) {
            switchSide.detach(port);
            listener.unwired(port.record());
            deleteLater(port);
        } else {
            tapCloser.awaitClosed(request.netns(), request.ifName());
            removeLeftoverInterface(request);
        }
        try {
            store.remove(attachment);
            ipam.release(ipamKey(attachment));
        } catch (IOException | IpamException e) {
            throw new ApiException(ApiError.IO_FAILURE, "cannot record the release", e.getMessage(), e);
        }
    }

    /** Hands a detached pod's TAP to the closer, non-persistent first, and frees its port id. */
    private void deleteLater(PodPort port) {
        TapPort tap = port.port();
        try {
            tap.clearPersistence();
            tapCloser.closeLater(port.record().netns(), port.record().portName(), tap);
        } catch (RuntimeException e) {
            // The device is gone already (its netns was deleted): closing is all there is left, and cheap.
            tap.close();
        }
        engine.releasePortId(tap.id());
    }

    private static void removeLeftoverInterface(AttachmentRequest request) {
        String netns = request.netns();
        if (netns == null || netns.isEmpty() || !Files.exists(Path.of(netns))) {
            return;
        }
        try {
            int netnsFd = PodNetns.open(netns);
            try {
                if (PodNetns.deleteInterface(netnsFd, label(request.attachment()), request.ifName())) {
                    DaemonLog.info("pod " + label(request.attachment()) + ": DEL removed its leftover interface in " + netns);
                }
            } finally {
                Libc.close(netnsFd);
            }
        } catch (ApiException | RuntimeException e) {
            DaemonLog.warn("pod " + label(request.attachment()) + ": cannot look for a leftover interface in " + netns, e);
        }
    }

    // ---------------------------------------------------------------- CHECK

    public void check(AttachmentRequest request) throws ApiException {
        Attachment attachment = request.attachment();
        PodPort port = live.get(attachment);
        if (port == null) {
            throw new ApiException(ApiError.UNKNOWN_CONTAINER, "unknown attachment",
                    attachment.containerId() + "/" + attachment.ifName() + " is not wired by podswitchd");
        }
        PodRecord record = port.record();
        List<String> problems = new ArrayList<>();
        if (!record.netns().equals(request.netns())) {
            problems.add("netns is " + record.netns() + ", request names " + request.netns());
        }
        if (engine.interfaces().get(port.port().id()) != port.iface()) {
            problems.add("the switch has no port for the attachment");
        }
        if (request.prevResult() != null) {
            comparePrevResult(request.prevResult(), record, problems);
        }
        if (!Files.exists(Path.of(record.netns()))) {
            problems.add("netns " + record.netns() + " is gone");
        } else {
            int netnsFd = PodNetns.open(record.netns());
            try {
                problems.addAll(PodNetns.check(netnsFd, label(attachment), record, ranges));
            } catch (RuntimeException e) {
                problems.add("cannot inspect the netns: " + e.getMessage());
            } finally {
                Libc.close(netnsFd);
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(ApiError.CHECK_FAILED, "attachment differs from what was set up",
                    String.join("; ", problems));
        }
    }

    private void comparePrevResult(CniResult prev, PodRecord record, List<String> problems) {
        Set<String> ours = new HashSet<>();
        for (InetAddress a : record.addresses()) {
            ours.add(IpAddresses.format(a));
        }
        Set<String> listed = new HashSet<>();
        for (ResultIp ip : prev.ips()) {
            String address = ip.address();
            int slash = address.indexOf('/');
            String bare = slash < 0 ? address : address.substring(0, slash);
            try {
                bare = IpAddresses.format(IpAddresses.parse(bare));
            } catch (IllegalArgumentException e) {
                problems.add("prevResult address " + address + " is not an address");
                continue;
            }
            listed.add(bare);
        }
        for (String a : ours) {
            if (!listed.contains(a)) {
                problems.add("prevResult does not list " + a);
            }
        }
        for (ResultInterface iface : prev.interfaces()) {
            if (iface.name().equals(record.portName()) && record.netns().equals(iface.sandbox())
                    && iface.mac() != null && !iface.mac().equalsIgnoreCase(AddressBits.formatMac(record.mac()))) {
                problems.add("prevResult MAC " + iface.mac() + " differs from " + AddressBits.formatMac(record.mac()));
            }
        }
    }

    // ---------------------------------------------------------------- GC, STATUS

    /** Unwires and releases every attachment of the request's network that is not in its valid list. */
    public List<Attachment> gc(GcRequest request) throws ApiException {
        Set<Attachment> valid = new HashSet<>(request.validAttachments());
        List<Attachment> collected = new ArrayList<>();
        for (PodPort port : List.copyOf(live.values())) {
            Attachment a = port.record().attachment();
            if (port.record().network().equals(request.network()) && !valid.contains(a)) {
                live.remove(a);
                switchSide.teardown(port);
                listener.unwired(port.record());
                collected.add(a);
                try {
                    store.remove(a);
                } catch (IOException e) {
                    throw new ApiException(ApiError.IO_FAILURE, "cannot record the release", e.getMessage(), e);
                }
            }
        }
        Set<io.podswitch.daemon.ipam.Attachment> keep = new HashSet<>(reserved);
        for (Attachment a : valid) {
            keep.add(ipamKey(a));
        }
        for (PodPort port : live.values()) {
            keep.add(ipamKey(port.record().attachment()));
        }
        try {
            ipam.retainOnly(keep);
        } catch (IpamException e) {
            throw new ApiException(ApiError.IO_FAILURE, "cannot record the release", e.getMessage(), e);
        }
        if (!collected.isEmpty()) {
            DaemonLog.info("GC released " + collected.size() + " attachment(s) of " + request.network());
        }
        return collected;
    }

    /** STATUS: can an ADD succeed now? (workers running, a free address in every family) */
    public void status() throws ApiException {
        if (!engine.running()) {
            throw new ApiException(ApiError.PLUGIN_NOT_AVAILABLE, "switch not running", "a worker thread has stopped");
        }
        for (IpRange range : ranges) {
            BigInteger used = BigInteger.valueOf(allocatedIn(range));
            if (used.compareTo(range.size()) >= 0) {
                throw new ApiException(ApiError.PLUGIN_NOT_AVAILABLE, "address pool exhausted",
                        "all " + range.size() + " addresses of " + range + " are allocated");
            }
        }
    }

    /** Addresses of {@code range}'s family held by anyone (pods and the host port). */
    public long allocatedIn(IpRange range) {
        long n = 0;
        for (List<InetAddress> addresses : ipam.allocations().values()) {
            for (InetAddress a : addresses) {
                if (AddressBits.isIp4(a) == range.isIpv4()) {
                    n++;
                }
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- restart

    /**
     * After a restart: re-attaches every recorded pod (its persistent TAP inside its netns, then the
     * switch side); releases pods whose netns is gone or that cannot be re-attached, and addresses
     * that IPAM holds for attachments nobody recorded (a crash between allocation and record).
     * @return the number of pods re-attached
     */
    public int recover() {
        int reattached = 0;
        for (PodRecord record : store.all()) {
            Attachment attachment = record.attachment();
            if (!Files.exists(Path.of(record.netns()))) {
                DaemonLog.info("pod " + label(attachment) + ": netns " + record.netns() + " is gone, releasing");
                forget(attachment);
                continue;
            }
            Deque<Runnable> undo = new ArrayDeque<>();
            int netnsFd = -1;
            try {
                netnsFd = PodNetns.open(record.netns());
                int portId = engine.allocatePortId();
                undo.push(() -> engine.releasePortId(portId));
                TapPort tap = PodNetns.wire(netnsFd, label(attachment), portId, record.portName(), record.mtu(),
                        record.mac(), record.addresses(), ranges, steering);
                // Its addresses are released below: the interface must not keep them.
                undo.push(() -> PodNetns.closeAndDelete(tap, null));
                PodPort port = switchSide.install(record, tap, undo);
                live.put(attachment, port);
                counters.register(port.counters());
                listener.wired(record);
                reattached++;
            } catch (ApiException | RuntimeException e) {
                runUndo(undo, e);
                DaemonLog.warn("pod " + label(attachment) + ": cannot re-attach, releasing", e);
                forget(attachment);
            } finally {
                if (netnsFd >= 0) {
                    Libc.close(netnsFd);
                }
            }
        }
        Set<io.podswitch.daemon.ipam.Attachment> keep = new HashSet<>(reserved);
        for (PodRecord record : store.all()) {
            keep.add(ipamKey(record.attachment()));
        }
        try {
            List<io.podswitch.daemon.ipam.Attachment> orphans = ipam.retainOnly(keep);
            if (!orphans.isEmpty()) {
                DaemonLog.info("released " + orphans.size() + " address allocation(s) without a pod: " + orphans);
            }
        } catch (IpamException e) {
            DaemonLog.warn("cannot release orphaned allocations", e);
        }
        return reattached;
    }

    private void forget(Attachment attachment) {
        try {
            store.remove(attachment);
            ipam.release(ipamKey(attachment));
        } catch (IOException | IpamException e) {
            DaemonLog.warn("cannot release " + label(attachment), e);
        }
    }

    /** Closes every pod port at shutdown WITHOUT deleting the persistent TAPs: pods keep their interfaces. */
    public void closeAll() {
        for (PodPort port : live.values()) {
            switchSide.close(port);
        }
        live.clear();
        tapCloser.close();
    }

    // ---------------------------------------------------------------- views

    /** Live pods in ADD order, with the worker polling each (for the API). */
    public List<PodView> pods() {
        List<PodView> out = new ArrayList<>();
        for (PodPort port : live.values()) {
            out.add(new PodView(port.record(), port.port().id(), port.worker(), port.port().counters().rxPackets(),
                    port.port().counters().txPackets()));
        }
        return out;
    }

    public List<IpRange> ranges() {
        return ranges;
    }

    public Ipam ipam() {
        return ipam;
    }

    /** A pod as the API lists it. */
    public record PodView(PodRecord record, int portId, int worker, long rxPackets, long txPackets) {
    }

    private static io.podswitch.daemon.ipam.Attachment ipamKey(Attachment a) {
        return new io.podswitch.daemon.ipam.Attachment(a.containerId(), a.ifName());
    }

    private void releaseQuietly(io.podswitch.daemon.ipam.Attachment key) {
        try {
            ipam.release(key);
        } catch (IpamException e) {
            DaemonLog.warn("cannot release " + key, e);
        }
    }

    private static String label(Attachment a) {
        String id = a.containerId();
        return (id.length() > 12 ? id.substring(0, 12) : id) + "/" + a.ifName();
    }
}
