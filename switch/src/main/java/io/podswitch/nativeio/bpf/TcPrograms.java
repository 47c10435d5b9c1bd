package io.podswitch.nativeio.bpf;

import static io.podswitch.nativeio.bpf.BpfAssembler.JLE;
import static io.podswitch.nativeio.bpf.BpfAssembler.R0;
import static io.podswitch.nativeio.bpf.BpfAssembler.R1;
import static io.podswitch.nativeio.bpf.BpfAssembler.R2;
import static io.podswitch.nativeio.bpf.BpfAssembler.R3;
import static io.podswitch.nativeio.bpf.BpfAssembler.R4;
import static io.podswitch.nativeio.bpf.BpfAssembler.R6;
import static io.podswitch.nativeio.bpf.BpfAssembler.WORD;

import io.podswitch.nativeio.bpf.BpfAssembler.Label;

/**
 * The {@code tap} uplink's two traffic-control programs ({@code BPF_PROG_TYPE_SCHED_CLS}, attached with
 * tcx links on ingress). Both move socket buffers whole, GSO super-frames included — that is their point.
 *
 * <p>On the NIC: packets an {@link XdpFilter} matches (the overlay's UDP port to this node's addresses)
 * go to the egress of the switch's tunnel TAP, where the switch reads them; everything else goes on
 * ({@code TCX_NEXT}: later programs, then the node's stack). Same matching code as the XDP filter
 * ({@link XdpPrograms}), on {@code struct __sk_buff}; headers outside the linear part are pulled in first:
 * <pre>
 *   r6 = r1 ; r2 = skb-&gt;data ; r3 = skb-&gt;data_end
 *   if r2 + 62 &lt;= r3 goto linear            ; Ethernet + IPv6 + UDP
 *   r1 = r6 ; r2 = 62 ; call bpf_skb_pull_data ; r2 = skb-&gt;data ; r3 = skb-&gt;data_end
 * linear:
 *   (the filter, as in XdpPrograms)
 * redirect:
 *   r1 = tap ifindex ; r2 = 0 ; call bpf_redirect ; exit   ; TC_ACT_REDIRECT to the TAP's egress
 * pass:
 *   r0 = TCX_NEXT ; exit
 * </pre>
 *
 * <p>On the TAP: everything the switch writes (encapsulated frames) leaves through the NIC, with the
 * kernel's routing and neighbour table filling in the outer Ethernet header:
 * <pre>
 *   r1 = nic ifindex ; r2 = 0 ; r3 = 0 ; r4 = 0 ; call bpf_redirect_neigh ; exit
 * </pre>
 */
public final class TcPrograms {
    /** tcx verdict: run the next program, or (the last one) go on as if none were attached. */
    public static final int TCX_NEXT = -1;
    /** {@code TC_ACT_REDIRECT}: what bpf_redirect and bpf_redirect_neigh return on success. */
    public static final int TC_ACT_REDIRECT = 7;
    static final int BPF_FUNC_REDIRECT = 23;
    static final int BPF_FUNC_SKB_PULL_DATA = 39;
    static final int BPF_FUNC_REDIRECT_NEIGH = 152;
    // struct __sk_buff offsets.
    static final int SKB_DATA = 76;
    static final int SKB_DATA_END = 80;
    /** Ethernet + IPv6 + UDP: the most header bytes the filter reads for the tunnel port. */
    private static final int FILTER_HEADERS = 14 + 40 + 8;

    private TcPrograms() {
    }

    /** NIC ingress: {@code filter}'s packets to the egress of interface {@code tapIfindex}, the rest on. */
    public static BpfProgram redirectMatching(int tapIfindex, XdpFilter filter) {
        if (filter.serviceAddresses()) {
            throw new IllegalArgumentException("the tc programs have no service address maps");
        }
        XdpPrograms.Hook hook = new XdpPrograms.Hook(SKB_DATA, SKB_DATA_END, TCX_NEXT, a -> {
            a.movImm(R1, tapIfindex);
            a.movImm(R2, 0);
            a.call(BPF_FUNC_REDIRECT);
            a.exit();
        }, "podswitch_tcxnic");
        return XdpPrograms.filtered(hook, filter, -1, -1, TcPrograms::pullHeaders);
    }

    /** TAP ingress: every packet out through {@code nicIfindex}, L2 from the kernel's neighbours. */
    public static BpfProgram redirectNeigh(int nicIfindex) {
        BpfAssembler a = new BpfAssembler();
        a.movImm(R1, nicIfindex);
        a.movImm(R2, 0);
        a.movImm(R3, 0);
        a.movImm(R4, 0);
        a.call(BPF_FUNC_REDIRECT_NEIGH);
        a.exit();
        return a.assemble("podswitch_tcxtap", XdpPrograms.LICENSE);
    }

    /** Pulls the filter's header bytes into the linear part when they are not all there (see the class comment). */
    private static void pullHeaders(BpfAssembler a) {
        Label linear = a.newLabel("linear");
        a.movReg(R0, R2);
        a.alu64Imm(BpfAssembler.ADD, R0, FILTER_HEADERS);
        a.jumpReg(JLE, R0, R3, linear);
        a.movReg(R1, R6);
        a.movImm(R2, FILTER_HEADERS);
        a.call(BPF_FUNC_SKB_PULL_DATA);
        a.load(WORD, R2, R6, SKB_DATA);
        a.load(WORD, R3, R6, SKB_DATA_END);
        a.bind(linear);
    }
}
