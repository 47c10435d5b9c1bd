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
    private static final long STACK = 0x4_0000_0000L;
    private static final int STACK_SIZE = 512;
    private static final long VALUE = 0x5_0000_0000L;

    private final byte[] code;
    private final Set<Integer> queuesWithSocket;
    /** Hash maps by fd: key size and the keys present (as hex), for {@code bpf_map_lookup_elem}. */
    private final java.util.Map<Integer, HashMap> maps = new java.util.HashMap<>();

    /** A test hash map: fixed key size, keys present. */
    record HashMap(int keySize, Set<String> keys) {
    }

    BpfInterpreter(BpfProgram program, Set<Integer> queuesWithSocket) {
        this.code = program.code();
        this.queuesWithSocket = queuesWithSocket;
    }

    /** Makes {@code fd} a hash map for the program's lookups. */
    BpfInterpreter withMap(int fd, int keySize, Set<String> keys) {
        maps.put(fd, new HashMap(keySize, keys));
        return this;
    }

    static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            b.append(String.format("%02x", x));
        }
        return b.toString();
    }

    /** Runs the program on {@code packet} received on {@code rxQueue}; returns the XDP action. */
    int run(byte[] packet, int rxQueue) {
        ByteBuffer insns = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer pkt = ByteBuffer.wrap(packet).order(ByteOrder.LITTLE_ENDIAN);
        long[] r = new long[11];
        r[1] = CTX;
        r[10] = STACK + STACK_SIZE;
        ByteBuffer stack = ByteBuffer.allocate(STACK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        boolean[] written = new boolean[STACK_SIZE];
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
                    r[dst] = address >= STACK && address < STACK + STACK_SIZE
                            ? loadStack(stack, written, address, size)
                            : load(address, size, pkt, packet.length, rxQueue);
                }
                case 0x03 -> { // STX MEM: only the stack is writable here
                    int size = switch (op & 0x18) {
                        case 0x00 -> 4;
                        case 0x08 -> 2;
                        case 0x10 -> 1;
                        default -> 8;
                    };
                    long address = r[dst] + off;
                    if (address < STACK || address + size > STACK + STACK_SIZE || (address - STACK) % size != 0) {
                        throw new AssertionError("store outside the stack or misaligned at " + (address - STACK));
                    }
                    int i = (int) (address - STACK);
                    switch (size) {
                        case 1 -> stack.put(i, (byte) r[src]);
                        case 2 -> stack.putShort(i, (short) r[src]);
                        case 4 -> stack.putInt(i, (int) r[src]);
                        default -> stack.putLong(i, r[src]);
                    }
                    for (int k = 0; k < size; k++) {
                        written[i + k] = true;
                    }
                }
                case 0x00 -> { // LD IMM64
                    if (op != 0x18) {
                        throw new AssertionError("LD op 0x" + Integer.toHexString(op));
                    }
                    long high = insns.getInt(pc * 8 + 4) & 0xffffffffL;
                    r[dst] = src == BpfAssembler.PSEUDO_MAP_FD ? MAP + imm : (imm & 0xffffffffL) | (high << 32);
                    pc++;
                }
                case 0x05, 0x06 -> { // JMP, JMP32
                    int jop = op & 0xf0;
                    if (jop == 0x80) {
                        if (imm == XdpPrograms.BPF_FUNC_MAP_LOOKUP_ELEM) {
                            r[0] = lookup(r[1], r[2], stack, written) ? VALUE : 0;
                        } else if (imm == XdpPrograms.BPF_FUNC_REDIRECT_MAP && r[1] >= MAP && !maps.containsKey((int) (r[1] - MAP))) {
                            r[0] = queuesWithSocket.contains((int) r[2]) ? XDP_REDIRECT : r[3] & 3;
                        } else {
                            throw new AssertionError("unexpected call " + imm);
                        }
                        // Helpers clobber r1-r5: poison them so a program that reads one afterwards fails.
                        for (int k = 1; k <= 5; k++) {
                            r[k] = 0xdead_0000_0000L;
                        }
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

    private boolean lookup(long map, long key, ByteBuffer stack, boolean[] written) {
        HashMap m = maps.get((int) (map - MAP));
        if (m == null) {
            throw new AssertionError("lookup in an unknown map");
        }
        if (key < STACK || key + m.keySize() > STACK + STACK_SIZE) {
            throw new AssertionError("the key must be on the stack");
        }
        byte[] bytes = new byte[m.keySize()];
        for (int k = 0; k < bytes.length; k++) {
            int i = (int) (key - STACK) + k;
            if (!written[i]) {
                throw new AssertionError("key byte " + k + " was never written (the verifier refuses this)");
            }
            bytes[k] = stack.get(i);
        }
        return m.keys().contains(hex(bytes));
    }

    private static long loadStack(ByteBuffer stack, boolean[] written, long address, int size) {
        int i = (int) (address - STACK);
        for (int k = 0; k < size; k++) {
            if (!written[i + k]) {
                throw new AssertionError("read of an unwritten stack byte");
            }
        }
        return switch (size) {
            case 1 -> stack.get(i) & 0xffL;
            case 2 -> stack.getShort(i) & 0xffffL;
            case 4 -> stack.getInt(i) & 0xffffffffL;
            default -> stack.getLong(i);
        };
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
