package io.podswitch.nativeio.bpf;

import static io.podswitch.nativeio.bpf.BpfAssembler.ADD;
import static io.podswitch.nativeio.bpf.BpfAssembler.AND;
import static io.podswitch.nativeio.bpf.BpfAssembler.BYTE;
import static io.podswitch.nativeio.bpf.BpfAssembler.HALF;
import static io.podswitch.nativeio.bpf.BpfAssembler.JEQ;
import static io.podswitch.nativeio.bpf.BpfAssembler.JGT;
import static io.podswitch.nativeio.bpf.BpfAssembler.JLE;
import static io.podswitch.nativeio.bpf.BpfAssembler.JLT;
import static io.podswitch.nativeio.bpf.BpfAssembler.JNE;
import static io.podswitch.nativeio.bpf.BpfAssembler.LSH;
import static io.podswitch.nativeio.bpf.BpfAssembler.OR;
import static io.podswitch.nativeio.bpf.BpfAssembler.R0;
import static io.podswitch.nativeio.bpf.BpfAssembler.R1;
import static io.podswitch.nativeio.bpf.BpfAssembler.R2;
import static io.podswitch.nativeio.bpf.BpfAssembler.R3;
import static io.podswitch.nativeio.bpf.BpfAssembler.R4;
import static io.podswitch.nativeio.bpf.BpfAssembler.R5;
import static io.podswitch.nativeio.bpf.BpfAssembler.R6;
import static io.podswitch.nativeio.bpf.BpfAssembler.R10;
import static io.podswitch.nativeio.bpf.BpfAssembler.WORD;

import io.podswitch.nativeio.bpf.BpfAssembler.Label;
import java.util.function.Consumer;

/**
 * The switch's two XDP programs, assembled for a given XSKMAP file descriptor.
 *
 * <p>Redirect-all (every packet to the AF_XDP socket of its receive queue; a queue without a socket
 * passes the packet to the kernel):
 * <pre>
 *   r2 = *(u32 *)(r1 + rx_queue_index)
 *   r1 = map[xskmap]
 *   r3 = XDP_PASS                 ; bpf_redirect_map's answer when the key has no socket
 *   call bpf_redirect_map
 *   exit
 * </pre>
 *
 * <p>Filtered: the same redirect for packets that match an {@link XdpFilter}, XDP_PASS for the rest.
 * Packet bytes are loaded little-endian, so constants are compared in their byte-swapped form.
 * <pre>
 *   r6 = r1 ; r2 = ctx-&gt;data ; r3 = ctx-&gt;data_end
 *   if r2 + 14 &gt; r3 goto pass
 *   w5 = eth.type ; if w5 == 0x0800 goto ipv4 ; if w5 == 0x86dd goto ipv6 ; goto pass
 * ipv4:
 *   if r2 + 34 &gt; r3 goto pass
 *   for each IPv4 prefix: if (ip.dst &amp; mask) == net goto redirect
 *   if node addresses: if ip.dst is none of them goto not-node-port
 *                if ip.proto is not 6 (TCP) or 17 (UDP), ip.frag_off &amp; 0x1fff, ip.ihl &lt; 5 goto not-node-port
 *                r4 = r2 + 4 * ip.ihl ; if r4 + 18 &gt; r3 goto not-node-port
 *                w5 = dport (two byte loads: host order) ; if low &lt;= w5 &lt;= high goto redirect
 *   not-node-port:
 *   if service addresses: if ip.proto is TCP/UDP, not a non-first fragment, ihl ≥ 5 and the ports are there:
 *                *(r10-8) = {ip.dst, dport, proto, 0} ; if bpf_map_lookup_elem(addresses4, r10-8) goto redirect
 *                r2 = ctx-&gt;data ; r3 = ctx-&gt;data_end   (the call clobbers r1-r5) ; if r2 + 34 &gt; r3 goto pass
 *   if udp port: if ip.proto != 17 or ip.frag_off &amp; 0x1fff goto pass
 *                r4 = r2 + 4 * ip.ihl ; if ip.ihl &lt; 5 or r4 + 22 &gt; r3 goto pass
 *                if udp.dport == port goto redirect
 *   goto pass
 * ipv6:
 *   if r2 + 54 &gt; r3 goto pass
 *   for each IPv6 prefix: if every 32-bit word of (ip6.dst &amp; mask) == net goto redirect
 *   if node addresses: the same node-port test (ip6.next 6 or 17, ports at 54, r2 + 58 &lt;= r3)
 *   if service addresses: the same lookup in addresses6, key {ip6.dst, dport, proto, 0} at r10-24
 *   if udp port: if ip6.next != 17 or r2 + 62 &gt; r3 goto pass ; if udp.dport == port goto redirect
 *   goto pass
 * redirect:
 *   r2 = *(u32 *)(r6 + rx_queue_index) ; r1 = map[xskmap] ; r3 = XDP_PASS
 *   call bpf_redirect_map ; exit
 * pass:
 *   r0 = XDP_PASS ; exit
 * </pre>
 */
public final class XdpPrograms {
    public static final String LICENSE = "Dual BSD/GPL";
    public static final int XDP_PASS = 2;
    /** {@code BPF_FUNC_redirect_map}. */
    static final int BPF_FUNC_REDIRECT_MAP = 51;
    /** {@code BPF_FUNC_map_lookup_elem}. */
    static final int BPF_FUNC_MAP_LOOKUP_ELEM = 1;

    // struct xdp_md offsets.
    static final int MD_DATA = 0;
    static final int MD_DATA_END = 4;
    static final int MD_RX_QUEUE_INDEX = 16;

    private static final int ETH_LEN = 14;
    private static final int ETH_TYPE = 12;
    private static final int IP4_LEN = 20;
    private static final int IP6_LEN = 40;
    private static final int UDP_LEN = 8;
    /** The two port fields at the start of a TCP or UDP header. */
    private static final int PORTS = 4;
    private static final int IPPROTO_UDP = 17;
    private static final int IPPROTO_TCP = 6;

    private XdpPrograms() {
    }

    /** Every packet to the socket of its receive queue. */
    public static BpfProgram redirectAll(int xskMapFd) {
        BpfAssembler a = new BpfAssembler();
        emitRedirect(a, R1, xskMapFd);
        return a.assemble("podswitch_xsk", LICENSE);
    }

    /** Packets matching {@code filter} to the socket of their receive queue, the rest to the kernel. */
    public static BpfProgram redirectMatching(int xskMapFd, XdpFilter filter) {
        return redirectMatching(xskMapFd, filter, -1, -1);
    }

    /**
     * As {@link #redirectMatching(int, XdpFilter)}, also looking packets up in the service address maps
     * ({@link ServiceAddressMaps}: {@code addresses4Fd}, {@code addresses6Fd}) when the filter asks for them.
     */
    public static BpfProgram redirectMatching(int xskMapFd, XdpFilter filter, int addresses4Fd, int addresses6Fd) {
        Hook xdp = new Hook(MD_DATA, MD_DATA_END, XDP_PASS, a -> emitRedirect(a, R6, xskMapFd), "podswitch_xskf");
        return filtered(xdp, filter, addresses4Fd, addresses6Fd);
    }

    /**
     * Where a filtered program runs: the context's data and data_end offsets, the verdict for packets
     * the filter does not match, and what to emit for a match (the context is in r6 there; it ends in exit).
     */
    record Hook(int dataOffset, int dataEndOffset, int passVerdict, Consumer<BpfAssembler> redirect,
                String name) {
    }

    /**
     * The filter's matching code (see the class comment) for {@code hook}, after an optional {@code prologue}
     * (called with the context in r1 and r6, r2/r3 = data/data_end loaded; it may reload them).
     */
    static BpfProgram filtered(Hook hook, XdpFilter filter, int addresses4Fd, int addresses6Fd) {
        return filtered(hook, filter, addresses4Fd, addresses6Fd, a -> { });
    }

    static BpfProgram filtered(Hook hook, XdpFilter filter, int addresses4Fd, int addresses6Fd,
                               Consumer<BpfAssembler> prologue) {
        if (filter.serviceAddresses() && (addresses4Fd < 0 || addresses6Fd < 0)) {
            throw new IllegalArgumentException("the filter captures service addresses: give both maps");
        }
        BpfAssembler a = new BpfAssembler();
        Label ipv4 = a.newLabel("ipv4");
        Label ipv6 = a.newLabel("ipv6");
        Label redirect = a.newLabel("redirect");
        Label pass = a.newLabel("pass");
        boolean port4 = filter.udpPortIn(true);
        boolean port6 = filter.udpPortIn(false);
        boolean v4 = port4 || filter.hasIpv4Prefixes() || filter.hasNodeAddresses(true) || filter.serviceAddresses();
        boolean v6 = port6 || filter.hasIpv6Prefixes() || filter.hasNodeAddresses(false) || filter.serviceAddresses();
        int portLe = Short.reverseBytes((short) filter.udpDestinationPort()) & 0xffff;

        a.movReg(R6, R1);
        a.load(WORD, R2, R1, hook.dataOffset());
        a.load(WORD, R3, R1, hook.dataEndOffset());
        prologue.accept(a);
        boundsCheck(a, R2, ETH_LEN, pass);
        a.load(HALF, R5, R2, ETH_TYPE);
        if (v4) {
            a.jump32Imm(JEQ, R5, swap16(0x0800), ipv4);
        }
        if (v6) {
            a.jump32Imm(JEQ, R5, swap16(0x86dd), ipv6);
        }
        a.jump(pass);

        if (v4) {
            a.bind(ipv4);
            boundsCheck(a, R2, ETH_LEN + IP4_LEN, pass);
            if (matchesEverything(filter, true)) {
                a.jump(redirect); // a /0 prefix: nothing else to test (and no unreachable code)
            } else {
                for (IpPrefix p : filter.destinations()) {
                    if (p.isIpv4()) {
                        emitPrefixMatch(a, p, ETH_LEN + 16, redirect);
                    }
                }
                if (filter.hasNodeAddresses(true)) {
                    emitNodePorts4(a, filter, redirect);
                }
                if (filter.serviceAddresses()) {
                    emitServiceAddresses4(a, hook, addresses4Fd, redirect, pass);
                }
            }
            if (port4 && !matchesEverything(filter, true)) {
                emitIp4Transport(a, false, UDP_LEN, pass);
                a.load(HALF, R5, R4, ETH_LEN + 2);
                emitPortMatch(a, filter, true, portLe, ETH_LEN + 16, redirect, pass);
            }
            if (!matchesEverything(filter, true)) {
                a.jump(pass);
            }
        }
        if (v6) {
            a.bind(ipv6);
            boundsCheck(a, R2, ETH_LEN + IP6_LEN, pass);
            if (matchesEverything(filter, false)) {
                a.jump(redirect);
            } else {
                for (IpPrefix p : filter.destinations()) {
                    if (!p.isIpv4()) {
                        emitPrefixMatch(a, p, ETH_LEN + 24, redirect);
                    }
                }
                if (filter.hasNodeAddresses(false)) {
                    emitNodePorts6(a, filter, redirect);
                }
                if (filter.serviceAddresses()) {
                    emitServiceAddresses6(a, hook, addresses6Fd, redirect, pass);
                }
            }
            if (port6 && !matchesEverything(filter, false)) {
                emitIp6Transport(a, false, UDP_LEN, pass);
                a.load(HALF, R5, R2, ETH_LEN + IP6_LEN + 2);
                emitPortMatch(a, filter, false, portLe, ETH_LEN + 24, redirect, pass);
            }
            if (!matchesEverything(filter, false)) {
                a.jump(pass);
            }
        }

        a.bind(redirect);
        hook.redirect().accept(a);
        a.bind(pass);
        a.movImm(R0, hook.passVerdict());
        a.exit();
        return a.assemble(hook.name(), LICENSE);
    }

    /** {@code return bpf_redirect_map(xskmap, ctx->rx_queue_index, XDP_PASS)} with ctx in {@code ctx}. */
    private static void emitRedirect(BpfAssembler a, int ctx, int xskMapFd) {
        a.load(WORD, R2, ctx, MD_RX_QUEUE_INDEX);
        a.loadMapFd(R1, xskMapFd);
        a.movImm(R3, XDP_PASS);
        a.call(BPF_FUNC_REDIRECT_MAP);
        a.exit();
    }

    /**
     * With the UDP destination port in r5: on a match, redirect — if the filter restricts UDP to some
     * destinations, only when the destination address (at packet offset {@code dstAt}) is one of them.
     * Falls through on no match.
     */
    private static void emitPortMatch(BpfAssembler a, XdpFilter filter, boolean ipv4, int portLe, int dstAt,
                                      Label redirect, Label pass) {
        if (filter.udpDestinations().isEmpty()) {
            a.jump32Imm(JEQ, R5, portLe, redirect);
            return;
        }
        a.jump32Imm(JNE, R5, portLe, pass);
        for (IpPrefix p : filter.udpDestinations()) {
            if (p.isIpv4() == ipv4) {
                emitPrefixMatch(a, p, dstAt, redirect);
            }
        }
    }

    /**
     * IPv4 TCP/UDP to one of the node's addresses with a destination port in the node-port range →
     * {@code redirect}; anything else falls through (to the tunnel-port test, then pass).
     */
    private static void emitNodePorts4(BpfAssembler a, XdpFilter filter, Label redirect) {
        Label toNode = a.newLabel("ip4-to-node");
        Label notNodePort = a.newLabel("ip4-not-node-port");
        for (IpPrefix address : filter.nodeAddresses()) {
            if (address.isIpv4()) {
                emitPrefixMatch(a, address, ETH_LEN + 16, toNode);
            }
        }
        a.jump(notNodePort);
        a.bind(toNode);
        emitIp4Transport(a, true, PORTS, notNodePort);
        emitPortRange(a, R4, ETH_LEN + 2, filter, redirect, notNodePort);
        a.bind(notNodePort);
    }

    /**
     * Falls through for IPv4 UDP (and, with {@code tcp}, TCP) whose transport header is in the packet —
     * not a non-first fragment (it carries none), IHL ≥ 5, {@code header} bytes of it before
     * {@code data_end} — with the protocol in w5 and r4 = r2 + IHL (the transport header at r4 + ETH_LEN);
     * anything else → {@code skip}. Scratch: r0, r1 (the context is in r6).
     */
    private static void emitIp4Transport(BpfAssembler a, boolean tcp, int header, Label skip) {
        emitProtocol(a, ETH_LEN + 9, tcp, skip);
        a.load(HALF, R0, R2, ETH_LEN + 6);
        a.alu32Imm(AND, R0, swap16(0x1fff));
        a.jump32Imm(JNE, R0, 0, skip);
        a.load(BYTE, R1, R2, ETH_LEN);
        a.alu32Imm(AND, R1, 0x0f);
        a.alu32Imm(LSH, R1, 2);
        a.jump32Imm(JLT, R1, IP4_LEN, skip);
        a.movReg(R4, R2);
        a.alu64Reg(ADD, R4, R1);
        boundsCheck(a, R4, ETH_LEN + header, skip);
    }

    /**
     * Falls through for IPv6 UDP (and, with {@code tcp}, TCP) right after the fixed header (no extension
     * headers) with {@code header} bytes of it before {@code data_end}, the protocol in w5; anything else →
     * {@code skip}.
     */
    private static void emitIp6Transport(BpfAssembler a, boolean tcp, int header, Label skip) {
        emitProtocol(a, ETH_LEN + 6, tcp, skip);
        boundsCheck(a, R2, ETH_LEN + IP6_LEN + header, skip);
    }

    /** w5 = the protocol byte at r2 + {@code at}; falls through for UDP (and, with {@code tcp}, TCP), else → skip. */
    private static void emitProtocol(BpfAssembler a, int at, boolean tcp, Label skip) {
        Label udp = a.newLabel("tcp-or-udp");
        a.load(BYTE, R5, R2, at);
        if (tcp) {
            a.jump32Imm(JEQ, R5, IPPROTO_TCP, udp);
        }
        a.jump32Imm(JNE, R5, IPPROTO_UDP, skip);
        a.bind(udp);
    }

    /** The IPv6 node-port test (no extension headers: the transport header follows the fixed header). */
    private static void emitNodePorts6(BpfAssembler a, XdpFilter filter, Label redirect) {
        Label toNode = a.newLabel("ip6-to-node");
        Label notNodePort = a.newLabel("ip6-not-node-port");
        for (IpPrefix address : filter.nodeAddresses()) {
            if (!address.isIpv4()) {
                emitPrefixMatch(a, address, ETH_LEN + 24, toNode);
            }
        }
        a.jump(notNodePort);
        a.bind(toNode);
        emitIp6Transport(a, true, PORTS, notNodePort);
        emitPortRange(a, R2, ETH_LEN + IP6_LEN + 2, filter, redirect, notNodePort);
        a.bind(notNodePort);
    }

    /**
     * IPv4 TCP/UDP (not a non-first fragment, IHL ≥ 5, ports in the packet) whose (destination, destination
     * port, protocol) is in the IPv4 service address map → {@code redirect}; else falls through. The key is
     * built on the stack at r10-8 in the map's layout ({@link ServiceAddressMaps}): the address and port are
     * copied as loaded, so they keep the packet's byte order. The helper call clobbers r1-r5: r2/r3 (data,
     * data_end) are loaded again from the context in r6 afterwards, and the headers bounds-checked again.
     */
    private static void emitServiceAddresses4(BpfAssembler a, Hook hook, int mapFd, Label redirect, Label pass) {
        Label skip = a.newLabel("ip4-not-svc");
        emitIp4Transport(a, true, PORTS, skip);
        a.load(WORD, R0, R2, ETH_LEN + 16);
        a.store(WORD, R10, -8, R0);
        a.load(HALF, R0, R4, ETH_LEN + 2);
        a.store(HALF, R10, -4, R0);
        a.store(BYTE, R10, -2, R5);
        a.movImm(R0, 0);
        a.store(BYTE, R10, -1, R0);
        emitLookup(a, hook, mapFd, -8, ETH_LEN + IP4_LEN, redirect, pass);
        a.bind(skip);
    }

    /** The IPv6 service address test (no extension headers), key at r10-24 (20 bytes). */
    private static void emitServiceAddresses6(BpfAssembler a, Hook hook, int mapFd, Label redirect, Label pass) {
        Label skip = a.newLabel("ip6-not-svc");
        emitIp6Transport(a, true, PORTS, skip);
        for (int i = 0; i < 4; i++) {
            a.load(WORD, R0, R2, ETH_LEN + 24 + 4 * i);
            a.store(WORD, R10, -24 + 4 * i, R0);
        }
        a.load(HALF, R0, R2, ETH_LEN + IP6_LEN + 2);
        a.store(HALF, R10, -8, R0);
        a.store(BYTE, R10, -6, R5);
        a.movImm(R0, 0);
        a.store(BYTE, R10, -5, R0);
        emitLookup(a, hook, mapFd, -24, ETH_LEN + IP6_LEN, redirect, pass);
        a.bind(skip);
    }

    /**
     * {@code if (bpf_map_lookup_elem(map, r10 + keyAt)) goto redirect}, then r2/r3 = data/data_end again and
     * the fixed headers bounds-checked again ({@code headers} bytes: the verifier forgets packet ranges across
     * a helper call; the packet did not change, so this never fails at run time).
     */
    private static void emitLookup(BpfAssembler a, Hook hook, int mapFd, int keyAt, int headers, Label redirect,
                                   Label pass) {
        a.loadMapFd(R1, mapFd);
        a.movReg(R2, R10);
        a.alu64Imm(ADD, R2, keyAt);
        a.call(BPF_FUNC_MAP_LOOKUP_ELEM);
        a.jumpImm(JNE, R0, 0, redirect);
        a.load(WORD, R2, R6, hook.dataOffset());
        a.load(WORD, R3, R6, hook.dataEndOffset());
        boundsCheck(a, R2, headers, pass);
    }

    /**
     * Reads the big-endian port at {@code base + at} into w5 in host order (two byte loads: the
     * assembler has no byte-swap instruction) and jumps to {@code match} when it lies in the node-port
     * range; below it, to {@code miss}; above it, it falls through (callers bind {@code miss} right
     * after). The bytes must already be bounds-checked; clobbers r0 and r5.
     */
    private static void emitPortRange(BpfAssembler a, int base, int at, XdpFilter filter, Label match, Label miss) {
        a.load(BYTE, R5, base, at);
        a.alu32Imm(LSH, R5, 8);
        a.load(BYTE, R0, base, at + 1);
        a.alu64Reg(OR, R5, R0);
        a.jump32Imm(JLT, R5, filter.nodePortLow(), miss);
        a.jump32Imm(JLE, R5, filter.nodePortHigh(), match);
    }

    /** True when the filter has a zero-length prefix of the family: every such packet matches. */
    private static boolean matchesEverything(XdpFilter filter, boolean ipv4) {
        return filter.destinations().stream().anyMatch(p -> p.isIpv4() == ipv4 && p.length() == 0);
    }

    /** {@code if (base + bytes > data_end) goto fail}, leaving r0 clobbered. */
    static void boundsCheck(BpfAssembler a, int base, int bytes, Label fail) {
        a.movReg(R0, base);
        a.alu64Imm(ADD, R0, bytes);
        a.jumpReg(JGT, R0, R3, fail);
    }

    /**
     * Compares the destination address at packet offset {@code at} with the prefix, 32 bits at a
     * time; falls through on a mismatch, jumps to {@code match} when every covered word agrees.
     */
    private static void emitPrefixMatch(BpfAssembler a, IpPrefix p, int at, Label match) {
        Label next = a.newLabel("next-prefix");
        int words = (p.length() + 31) / 32;
        for (int i = 0; i < words; i++) {
            int bits = Math.min(32, p.length() - 32 * i);
            int mask = bits == 32 ? -1 : -1 << (32 - bits);
            a.load(WORD, R5, R2, at + 4 * i);
            if (bits < 32) {
                a.alu32Imm(AND, R5, Integer.reverseBytes(mask));
            }
            a.jump32Imm(JNE, R5, Integer.reverseBytes(p.word(i) & mask), next);
        }
        a.jump(match);
        a.bind(next);
    }

    private static int swap16(int v) {
        return Short.reverseBytes((short) v) & 0xffff;
    }
}
