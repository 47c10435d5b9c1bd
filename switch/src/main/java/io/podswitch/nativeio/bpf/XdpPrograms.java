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
import static io.podswitch.nativeio.bpf.BpfAssembler.WORD;

import io.podswitch.nativeio.bpf.BpfAssembler.Label;

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
 *   if udp port: if ip.proto != 17 or ip.frag_off &amp; 0x1fff goto pass
 *                r4 = r2 + 4 * ip.ihl ; if ip.ihl &lt; 5 or r4 + 22 &gt; r3 goto pass
 *                if udp.dport == port goto redirect
 *   goto pass
 * ipv6:
 *   if r2 + 54 &gt; r3 goto pass
 *   for each IPv6 prefix: if every 32-bit word of (ip6.dst &amp; mask) == net goto redirect
 *   if node addresses: the same node-port test (ip6.next 6 or 17, ports at 54, r2 + 58 &lt;= r3)
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

    // struct xdp_md offsets.
    static final int MD_DATA = 0;
    static final int MD_DATA_END = 4;
    static final int MD_RX_QUEUE_INDEX = 16;

    private static final int ETH_LEN = 14;
    private static final int ETH_TYPE = 12;
    private static final int IP4_LEN = 20;
    private static final int IP6_LEN = 40;
    private static final int UDP_LEN = 8;
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
        BpfAssembler a = new BpfAssembler();
        Label ipv4 = a.newLabel("ipv4");
        Label ipv6 = a.newLabel("ipv6");
        Label redirect = a.newLabel("redirect");
        Label pass = a.newLabel("pass");
        boolean port4 = filter.udpPortIn(true);
        boolean port6 = filter.udpPortIn(false);
        boolean v4 = port4 || filter.hasIpv4Prefixes() || filter.hasNodeAddresses(true);
        boolean v6 = port6 || filter.hasIpv6Prefixes() || filter.hasNodeAddresses(false);
        int portLe = Short.reverseBytes((short) filter.udpDestinationPort()) & 0xffff;

        a.movReg(R6, R1);
        a.load(WORD, R2, R1, MD_DATA);
        a.load(WORD, R3, R1, MD_DATA_END);
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
            }
            if (port4 && !matchesEverything(filter, true)) {
                a.load(BYTE, R5, R2, ETH_LEN + 9);
                a.jump32Imm(JNE, R5, IPPROTO_UDP, pass);
                a.load(HALF, R5, R2, ETH_LEN + 6);
                a.alu32Imm(AND, R5, swap16(0x1fff));
                a.jump32Imm(JNE, R5, 0, pass);
                a.load(BYTE, R5, R2, ETH_LEN);
                a.alu32Imm(AND, R5, 0x0f);
                a.alu32Imm(LSH, R5, 2);
                a.jump32Imm(JLT, R5, IP4_LEN, pass);
                a.movReg(R4, R2);
                a.alu64Reg(ADD, R4, R5);
                boundsCheck(a, R4, ETH_LEN + UDP_LEN, pass);
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
            }
            if (port6 && !matchesEverything(filter, false)) {
                a.load(BYTE, R5, R2, ETH_LEN + 6);
                a.jump32Imm(JNE, R5, IPPROTO_UDP, pass);
                boundsCheck(a, R2, ETH_LEN + IP6_LEN + UDP_LEN, pass);
                a.load(HALF, R5, R2, ETH_LEN + IP6_LEN + 2);
                emitPortMatch(a, filter, false, portLe, ETH_LEN + 24, redirect, pass);
            }
            if (!matchesEverything(filter, false)) {
                a.jump(pass);
            }
        }

        a.bind(redirect);
        emitRedirect(a, R6, xskMapFd);
        a.bind(pass);
        a.movImm(R0, XDP_PASS);
        a.exit();
        return a.assemble("podswitch_xskf", LICENSE);
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
        Label transport = a.newLabel("ip4-node-tcp-udp");
        Label notNodePort = a.newLabel("ip4-not-node-port");
        for (IpPrefix address : filter.nodeAddresses()) {
            if (address.isIpv4()) {
                emitPrefixMatch(a, address, ETH_LEN + 16, toNode);
            }
        }
        a.jump(notNodePort);
        a.bind(toNode);
        a.load(BYTE, R5, R2, ETH_LEN + 9);
        a.jump32Imm(JEQ, R5, IPPROTO_TCP, transport);
        a.jump32Imm(JNE, R5, IPPROTO_UDP, notNodePort);
        a.bind(transport);
        a.load(HALF, R5, R2, ETH_LEN + 6);
        a.alu32Imm(AND, R5, swap16(0x1fff));
        a.jump32Imm(JNE, R5, 0, notNodePort); // a non-first fragment carries no ports
        a.load(BYTE, R5, R2, ETH_LEN);
        a.alu32Imm(AND, R5, 0x0f);
        a.alu32Imm(LSH, R5, 2);
        a.jump32Imm(JLT, R5, IP4_LEN, notNodePort);
        a.movReg(R4, R2);
        a.alu64Reg(ADD, R4, R5);
        boundsCheck(a, R4, ETH_LEN + 4, notNodePort);
        emitPortRange(a, R4, ETH_LEN + 2, filter, redirect, notNodePort);
        a.bind(notNodePort);
    }

    /** The IPv6 node-port test (no extension headers: the transport header follows the fixed header). */
    private static void emitNodePorts6(BpfAssembler a, XdpFilter filter, Label redirect) {
        Label toNode = a.newLabel("ip6-to-node");
        Label transport = a.newLabel("ip6-node-tcp-udp");
        Label notNodePort = a.newLabel("ip6-not-node-port");
        for (IpPrefix address : filter.nodeAddresses()) {
            if (!address.isIpv4()) {
                emitPrefixMatch(a, address, ETH_LEN + 24, toNode);
            }
        }
        a.jump(notNodePort);
        a.bind(toNode);
        a.load(BYTE, R5, R2, ETH_LEN + 6);
        a.jump32Imm(JEQ, R5, IPPROTO_TCP, transport);
        a.jump32Imm(JNE, R5, IPPROTO_UDP, notNodePort);
        a.bind(transport);
        boundsCheck(a, R2, ETH_LEN + IP6_LEN + 4, notNodePort);
        emitPortRange(a, R2, ETH_LEN + IP6_LEN + 2, filter, redirect, notNodePort);
        a.bind(notNodePort);
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
    private static void boundsCheck(BpfAssembler a, int base, int bytes, Label fail) {
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
