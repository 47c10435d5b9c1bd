package io.podswitch.nativeio.bpf;

import static io.podswitch.nativeio.bpf.BpfAssembler.ADD;
import static io.podswitch.nativeio.bpf.BpfAssembler.AND;
import static io.podswitch.nativeio.bpf.BpfAssembler.BYTE;
import static io.podswitch.nativeio.bpf.BpfAssembler.DOUBLE;
import static io.podswitch.nativeio.bpf.BpfAssembler.JEQ;
import static io.podswitch.nativeio.bpf.BpfAssembler.JGE;
import static io.podswitch.nativeio.bpf.BpfAssembler.JLE;
import static io.podswitch.nativeio.bpf.BpfAssembler.JNE;
import static io.podswitch.nativeio.bpf.BpfAssembler.LSH;
import static io.podswitch.nativeio.bpf.BpfAssembler.MOD;
import static io.podswitch.nativeio.bpf.BpfAssembler.MOV;
import static io.podswitch.nativeio.bpf.BpfAssembler.MUL;
import static io.podswitch.nativeio.bpf.BpfAssembler.OR;
import static io.podswitch.nativeio.bpf.BpfAssembler.R0;
import static io.podswitch.nativeio.bpf.BpfAssembler.R1;
import static io.podswitch.nativeio.bpf.BpfAssembler.R10;
import static io.podswitch.nativeio.bpf.BpfAssembler.R2;
import static io.podswitch.nativeio.bpf.BpfAssembler.R3;
import static io.podswitch.nativeio.bpf.BpfAssembler.R4;
import static io.podswitch.nativeio.bpf.BpfAssembler.R5;
import static io.podswitch.nativeio.bpf.BpfAssembler.R6;
import static io.podswitch.nativeio.bpf.BpfAssembler.R7;
import static io.podswitch.nativeio.bpf.BpfAssembler.R8;
import static io.podswitch.nativeio.bpf.BpfAssembler.R9;
import static io.podswitch.nativeio.bpf.BpfAssembler.RSH;
import static io.podswitch.nativeio.bpf.BpfAssembler.SUB;
import static io.podswitch.nativeio.bpf.BpfAssembler.WORD;
import static io.podswitch.nativeio.bpf.BpfAssembler.XOR;

import io.podswitch.nativeio.bpf.BpfAssembler.Label;

/**
 * The steering program of a pod's multi-queue TAP ({@code TUNSETSTEERINGEBPF}): the kernel runs it for
 * every packet the pod sends and puts the packet in the queue it returns. Sparse flows (a probe, a
 * request/response, the ACKs of a transfer, a new connection) go to queue 0; a flow that has sent more
 * than {@value #COST_LIMIT} cost units (one per packet plus one per KiB) within a
 * {@value #WINDOW_NS} ns window is heavy for the next {@value #HOLD_NS} ns and goes to one of the
 * bulk queues 1..n-1 (by flow hash). Each queue is its own kernel ring and the worker reads every queue
 * every cycle, so an unpaced stream can overflow only its own ring: the kernel drops its excess there,
 * and sparse flows keep their packets (fq_codel's sparse-flow rule, done where tun picks the queue).
 *
 * <pre>
 *  r6 = skb
 *  IPv4 (skb-&gt;protocol): bpf_skb_load_bytes_relative(skb, 0, fp-64, 24, BPF_HDR_START_NET)
 *        h = mix(saddr, daddr, proto [, ports if ihl == 5 and TCP/UDP/SCTP]) ; too short: sparse
 *  IPv6: the same with 44 bytes: h = mix(8 address words, next header [, ports if TCP/UDP/SCTP])
 *  other (ARP, ...): sparse
 *  key = ifindex &lt;&lt; 32 | h ; now = bpf_ktime_get_ns()
 *  v = lookup(flows, key) ; none: update(flows, key, {now, 1, 0}) ; sparse
 *  if now - v.window &gt; WINDOW: v.window = now, v.cost = 0
 *  v.cost += 1 + len / 1024 ; if v.cost &gt; LIMIT: v.heavy_until = now + HOLD
 *  now &lt; v.heavy_until ? 1 + h % bulkQueues : 0
 *
 *  flow value (24 bytes):  0 window start ns (u64) | 8 cost (u32) | 12 pad | 16 heavy until ns (u64)
 * </pre>
 *
 * The flow table is an LRU hash shared by every TAP (the key carries the ifindex), so its memory is
 * bounded whatever the number of pods and flows; updates from several CPUs race without harm (the
 * counts are estimates). A flow that changes class may see a packet overtake another at the switch
 * (two rings); the hold time makes that rare.
 */
public final class SparseFlowSteering {
    /** Key: ifindex (high 32 bits) and flow hash (low 32). */
    public static final int KEY_SIZE = 8;
    public static final int VALUE_SIZE = 24;
    public static final long WINDOW_NS = 1_000_000;
    public static final int COST_LIMIT = 64;
    public static final long HOLD_NS = 100_000_000;

    static final int HELPER_MAP_LOOKUP = 1;
    static final int HELPER_MAP_UPDATE = 2;
    static final int HELPER_KTIME_GET_NS = 5;
    static final int HELPER_SKB_LOAD_BYTES_RELATIVE = 68;
    /** bpf_skb_load_bytes_relative's start: the network header (where tun's transmit and a test run agree). */
    private static final int BPF_HDR_START_NET = 1;

    private static final int SKB_LEN = 0;
    private static final int SKB_PROTOCOL = 16;
    private static final int SKB_IFINDEX = 40;
    /** Header buffer on the stack: network-header byte i at fp + HDR + i (addresses land 4-byte aligned). */
    private static final int HDR = -64;
    private static final int IPV4_BYTES = 24;
    private static final int IPV6_BYTES = 44;
    private static final int KEY = -80;
    private static final int VALUE = -104;
    private static final int GOLDEN = 0x9E3779B1;

    private SparseFlowSteering() {
    }

    /**
     * @param flowMap    an LRU hash map with {@link #KEY_SIZE}-byte keys and {@link #VALUE_SIZE}-byte values
     * @param bulkQueues queues 1..bulkQueues take heavy flows (the TAP's queue count minus one, at least 1)
     */
    public static BpfProgram build(int flowMap, int bulkQueues) {
        if (bulkQueues < 1) {
            throw new IllegalArgumentException("at least one bulk queue: " + bulkQueues);
        }
        BpfAssembler a = new BpfAssembler();
        Label sparse = a.newLabel("sparse");
        Label ipv4 = a.newLabel("ipv4");
        Label ipv6 = a.newLabel("ipv6");
        Label mix = a.newLabel("mix");
        Label insert = a.newLabel("insert");
        Label sameWindow = a.newLabel("same_window");
        Label addCost = a.newLabel("add_cost");
        Label checkHeavy = a.newLabel("check_heavy");
        Label v4Hashed = a.newLabel("v4_hashed");

        a.movReg(R6, R1);
        a.load(WORD, R2, R6, SKB_PROTOCOL);               // __be16 in a u32: compared byte-swapped
        a.jumpImm(JEQ, R2, 0x0008, ipv4);
        a.jumpImm(JEQ, R2, 0xdd86, ipv6);
        a.jump(sparse);

        a.bind(ipv4);
        loadHeaders(a, IPV4_BYTES);
        a.jumpImm(JNE, R0, 0, sparse);
        a.load(WORD, R7, R10, HDR + 12);                 // saddr
        a.alu64Imm(MUL, R7, GOLDEN);
        a.load(WORD, R3, R10, HDR + 16);                 // daddr
        a.alu64Reg(XOR, R7, R3);
        a.alu64Imm(MUL, R7, GOLDEN);
        a.load(BYTE, R4, R10, HDR + 9);                  // protocol
        a.alu64Reg(XOR, R7, R4);
        a.load(BYTE, R3, R10, HDR);                      // version and IHL
        a.alu64Imm(AND, R3, 0x0f);
        a.jumpImm(JNE, R3, 5, v4Hashed);                 // options: ports not at a fixed place
        portsIfTransport(a, R4, HDR + 20, v4Hashed);
        a.bind(v4Hashed);
        a.jump(mix);

        a.bind(ipv6);
        loadHeaders(a, IPV6_BYTES);
        a.jumpImm(JNE, R0, 0, sparse);
        a.movImm(R7, 0);
        for (int word = 0; word < 8; word++) {           // source and destination address
            a.load(WORD, R3, R10, HDR + 8 + 4 * word);
            a.alu64Reg(XOR, R7, R3);
            a.alu64Imm(MUL, R7, GOLDEN);
        }
        a.load(BYTE, R4, R10, HDR + 6);                  // next header
        a.alu64Reg(XOR, R7, R4);
        Label v6Hashed = a.newLabel("v6_hashed");
        portsIfTransport(a, R4, HDR + 40, v6Hashed);
        a.bind(v6Hashed);

        a.bind(mix);                                     // h ^= h >> 29 ; h *= GOLDEN ; h = (u32) (h ^ h >> 32)
        a.movReg(R3, R7);
        a.alu64Imm(RSH, R3, 29);
        a.alu64Reg(XOR, R7, R3);
        a.alu64Imm(MUL, R7, GOLDEN);
        a.movReg(R3, R7);
        a.alu64Imm(RSH, R3, 32);
        a.alu64Reg(XOR, R7, R3);
        a.alu32Reg(MOV, R7, R7);
        a.load(WORD, R3, R6, SKB_IFINDEX);
        a.alu64Imm(LSH, R3, 32);
        a.alu64Reg(OR, R3, R7);
        a.store(DOUBLE, R10, KEY, R3);
        a.call(HELPER_KTIME_GET_NS);
        a.movReg(R8, R0);
        a.loadMapFd(R1, flowMap);
        a.movReg(R2, R10);
        a.alu64Imm(ADD, R2, KEY);
        a.call(HELPER_MAP_LOOKUP);
        a.jumpImm(JEQ, R0, 0, insert);
        a.movReg(R9, R0);

        a.load(DOUBLE, R2, R9, 0);                       // window start
        a.movReg(R3, R8);
        a.alu64Reg(SUB, R3, R2);
        a.jumpImm(JLE, R3, (int) WINDOW_NS, sameWindow);
        a.store(DOUBLE, R9, 0, R8);
        a.movImm(R4, 0);
        a.jump(addCost);
        a.bind(sameWindow);
        a.load(WORD, R4, R9, 8);
        a.bind(addCost);
        a.load(WORD, R5, R6, SKB_LEN);
        a.alu64Imm(RSH, R5, 10);
        a.alu64Reg(ADD, R4, R5);
        a.alu64Imm(ADD, R4, 1);
        a.store(WORD, R9, 8, R4);
        a.jumpImm(JLE, R4, COST_LIMIT, checkHeavy);
        a.movReg(R2, R8);
        a.alu64Imm(ADD, R2, (int) HOLD_NS);
        a.store(DOUBLE, R9, 16, R2);
        a.bind(checkHeavy);
        a.load(DOUBLE, R2, R9, 16);                      // heavy until
        a.jumpReg(JGE, R8, R2, sparse);
        a.movReg(R0, R7);
        a.alu64Imm(MOD, R0, bulkQueues);
        a.alu64Imm(ADD, R0, 1);
        a.exit();

        a.bind(insert);                                  // a new flow: one packet in a fresh window
        a.store(DOUBLE, R10, VALUE, R8);
        a.movImm(R3, 1);
        a.store(WORD, R10, VALUE + 8, R3);
        a.movImm(R3, 0);
        a.store(WORD, R10, VALUE + 12, R3);
        a.store(DOUBLE, R10, VALUE + 16, R3);
        a.loadMapFd(R1, flowMap);
        a.movReg(R2, R10);
        a.alu64Imm(ADD, R2, KEY);
        a.movReg(R3, R10);
        a.alu64Imm(ADD, R3, VALUE);
        a.movImm(R4, 0);                                 // BPF_ANY
        a.call(HELPER_MAP_UPDATE);

        a.bind(sparse);
        a.movImm(R0, 0);
        a.exit();
        return a.assemble("podswitch_steer", "GPL");
    }

    /** {@code r0 = bpf_skb_load_bytes_relative(skb = r6, 0, fp + HDR, bytes, BPF_HDR_START_NET)}. */
    private static void loadHeaders(BpfAssembler a, int bytes) {
        a.movReg(R1, R6);
        a.movImm(R2, 0);
        a.movReg(R3, R10);
        a.alu64Imm(ADD, R3, HDR);
        a.movImm(R4, bytes);
        a.movImm(R5, BPF_HDR_START_NET);
        a.call(HELPER_SKB_LOAD_BYTES_RELATIVE);
    }

    /** For TCP (6), UDP (17) and SCTP (132) in {@code protocol}: {@code h = (h ^ ports) * GOLDEN}. */
    private static void portsIfTransport(BpfAssembler a, int protocol, int portsOffset, Label done) {
        Label ports = a.newLabel("ports");
        a.jumpImm(JEQ, protocol, 6, ports);
        a.jumpImm(JEQ, protocol, 17, ports);
        a.jumpImm(JNE, protocol, 132, done);
        a.bind(ports);
        a.load(WORD, R3, R10, portsOffset);
        a.alu64Reg(XOR, R7, R3);
        a.alu64Imm(MUL, R7, GOLDEN);
    }
}
