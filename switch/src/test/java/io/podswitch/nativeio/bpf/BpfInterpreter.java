package io.podswitch.nativeio.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * A test-only eBPF interpreter for the instruction subset {@link BpfAssembler} emits, enough to run
 * the XDP programs over sample packets without privileges. Reading outside the context or the
 * packet fails the test (the kernel's verifier would refuse such a program).
 */
final class BpfInterpreter {
    static final int XDP_REDIRECT = 4;
    private static final long CTX = 0x1_0000_0000L;
    private static final long PKT = 0x2_0000_0000L;
    private static final long MAP = 0x3_0000_0000L;

    private final byte[] code;
    private final Set<Integer> queuesWithSocket;

    BpfInterpreter(BpfProgram program, Set<Integer> queuesWithSocket) {
        this.code = program.code();
        this.queuesWithSocket = queuesWithSocket;
    }

    /** Runs the program on {@code packet} received on {@code rxQueue}; returns the XDP action. */
    int run(byte[] packet, int rxQueue) {
        ByteBuffer insns = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer pkt = ByteBuffer.wrap(packet).order(ByteOrder.LITTLE_ENDIAN);
        long[] r = new long[11];
        r[1] = CTX;
        int pc = 0;
        for (int steps = 0; steps < 100_000; steps++) {
            int at = pc * 8;
            int op = insns.get(at) & 0xff;
            int dst = insns.get(at + 1) & 0x0f;
            int src = (insns.get(at + 1) >> 4) & 0x0f;
            short off = insns.getShort(at + 2);
            int imm = insns.getInt(at + 4);
            pc++;
            int cls = op & 0x07;
            switch (cls) {
                case 0x07, 0x04 -> { // ALU64, ALU
                    long operand = (op & 0x08) != 0 ? r[src] : imm;
                    long v = switch (op & 0xf0) {
                        case BpfAssembler.ADD -> r[dst] + operand;
                        case BpfAssembler.SUB -> r[dst] - operand;
                        case BpfAssembler.OR -> r[dst] | operand;
                        case BpfAssembler.AND -> r[dst] & operand;
                        case BpfAssembler.LSH -> cls == 0x04 ? (long) ((int) r[dst] << (operand & 31)) : r[dst] << (operand & 63);
                        case BpfAssembler.RSH -> cls == 0x04 ? (long) ((int) r[dst] >>> (operand & 31)) : r[dst] >>> (operand & 63);
                        case BpfAssembler.XOR -> r[dst] ^ operand;
                        case BpfAssembler.MOV -> operand;
                        default -> throw new AssertionError("ALU op 0x" + Integer.toHexString(op));
                    };
                    r[dst] = cls == 0x04 ? v & 0xffffffffL : v;
                }
                case 0x01 -> { // LDX MEM
                    int size = switch (op & 0x18) {
                        case 0x00 -> 4;
                        case 0x08 -> 2;
                        case 0x10 -> 1;
                        default -> 8;
                    };
                    long address = r[src] + off;
                    r[dst] = load(address, size, pkt, packet.length, rxQueue);
                }
                case 0x00 -> { // LD IMM64
                    if (op != 0x18) {
                        throw new AssertionError("LD op 0x" + Integer.toHexString(op));
                    }
                    long high = insns.getInt(pc * 8 + 4) & 0xffffffffL;
                    r[dst] = src == BpfAssembler.PSEUDO_MAP_FD ? MAP : (imm & 0xffffffffL) | (high << 32);
                    pc++;
                }
                case 0x05, 0x06 -> { // JMP, JMP32
                    int jop = op & 0xf0;
                    if (jop == 0x80) {
                        if (imm != XdpPrograms.BPF_FUNC_REDIRECT_MAP || r[1] != MAP) {
                            throw new AssertionError("unexpected call " + imm);
                        }
                        r[0] = queuesWithSocket.contains((int) r[2]) ? XDP_REDIRECT : r[3] & 3;
                        continue;
                    }
                    if (jop == 0x90) {
                        return (int) r[0];
                    }
                    long a = r[dst];
                    long b = (op & 0x08) != 0 ? r[src] : imm;
                    if (cls == 0x06) {
                        a &= 0xffffffffL;
                        b &= 0xffffffffL;
                    }
                    boolean taken = switch (jop) {
                        case BpfAssembler.JA -> true;
                        case BpfAssembler.JEQ -> a == b;
                        case BpfAssembler.JNE -> a != b;
                        case BpfAssembler.JGT -> Long.compareUnsigned(a, b) > 0;
                        case BpfAssembler.JGE -> Long.compareUnsigned(a, b) >= 0;
                        case BpfAssembler.JLT -> Long.compareUnsigned(a, b) < 0;
                        case BpfAssembler.JLE -> Long.compareUnsigned(a, b) <= 0;
                        default -> throw new AssertionError("JMP op 0x" + Integer.toHexString(op));
                    };
                    if (taken) {
                        pc += off;
                    }
                }
                default -> throw new AssertionError("class " + cls);
            }
        }
        throw new AssertionError("program did not exit");
    }

    private static long load(long address, int size, ByteBuffer pkt, int length, int rxQueue) {
        if (address >= CTX && address < CTX + 24) {
            int field = (int) (address - CTX);
            return switch (field) {
                case XdpPrograms.MD_DATA -> PKT;
                case XdpPrograms.MD_DATA_END -> PKT + length;
                case XdpPrograms.MD_RX_QUEUE_INDEX -> rxQueue;
                default -> throw new AssertionError("ctx field " + field);
            };
        }
        if (address < PKT || address + size > PKT + length) {
            throw new AssertionError("packet read out of bounds at " + (address - PKT) + " size " + size
                    + " (length " + length + ")");
        }
        int i = (int) (address - PKT);
        return switch (size) {
            case 1 -> pkt.get(i) & 0xffL;
            case 2 -> pkt.getShort(i) & 0xffffL;
            case 4 -> pkt.getInt(i) & 0xffffffffL;
            default -> pkt.getLong(i);
        };
    }
}
