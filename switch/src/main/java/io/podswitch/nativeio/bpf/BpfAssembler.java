package io.podswitch.nativeio.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A small eBPF instruction builder: just what the switch's XDP programs need (moves, ALU, loads,
 * stores, conditional jumps to labels, helper calls, map-fd loads, exit). Jumps to labels are
 * fixed up when {@link #assemble} runs, so code can jump forward to a label bound later.
 *
 * <pre>
 * one instruction, 8 bytes, little-endian fields
 *  byte 0      byte 1              bytes 2-3        bytes 4-7
 * +---------+---------+---------+----------------+--------------------+
 * | opcode  | src (4) | dst (4) | offset (s16)   | immediate (s32)    |
 * +---------+---------+---------+----------------+--------------------+
 *   opcode = operation | source (K imm / X reg) | class  (ALU, JMP, LDX ...)
 *   lddw (64-bit immediate) takes two slots; the second holds the high 32 bits in its imm.
 * </pre>
 */
public final class BpfAssembler {
    public static final int R0 = 0;
    public static final int R1 = 1;
    public static final int R2 = 2;
    public static final int R3 = 3;
    public static final int R4 = 4;
    public static final int R5 = 5;
    public static final int R6 = 6;
    public static final int R7 = 7;
    public static final int R8 = 8;
    public static final int R9 = 9;
    /** The read-only frame pointer. */
    public static final int R10 = 10;

    // Instruction classes.
    static final int LD = 0x00;
    static final int LDX = 0x01;
    static final int STX = 0x03;
    static final int ALU = 0x04;
    static final int JMP = 0x05;
    static final int JMP32 = 0x06;
    static final int ALU64 = 0x07;
    // Sizes and modes for loads/stores.
    static final int SIZE_W = 0x00;
    static final int SIZE_H = 0x08;
    static final int SIZE_B = 0x10;
    static final int SIZE_DW = 0x18;
    static final int MODE_IMM = 0x00;
    static final int MODE_MEM = 0x60;
    // Operand source.
    static final int SRC_K = 0x00;
    static final int SRC_X = 0x08;
    // ALU operations.
    public static final int ADD = 0x00;
    public static final int SUB = 0x10;
    public static final int MUL = 0x20;
    public static final int OR = 0x40;
    public static final int AND = 0x50;
    public static final int LSH = 0x60;
    public static final int RSH = 0x70;
    public static final int MOD = 0x90;
    public static final int XOR = 0xa0;
    public static final int MOV = 0xb0;
    // Jump operations.
    public static final int JA = 0x00;
    public static final int JEQ = 0x10;
    public static final int JGT = 0x20;
    public static final int JGE = 0x30;
    public static final int JNE = 0x50;
    public static final int JLT = 0xa0;
    public static final int JLE = 0xb0;
    static final int CALL = 0x80;
    static final int EXIT = 0x90;
    /** src_reg marker of lddw: the immediate is a map file descriptor the kernel turns into the map. */
    public static final int PSEUDO_MAP_FD = 1;

    /** Load/store widths in bytes. */
    public static final int BYTE = 1;
    public static final int HALF = 2;
    public static final int WORD = 4;
    public static final int DOUBLE = 8;

    /** A jump target; bind it once where it belongs. */
    public static final class Label {
        private final String name;
        private int position = -1;

        private Label(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name + (position < 0 ? " (unbound)" : " @" + position);
        }
    }

    private record Fixup(int slot, Label target) {
    }

    private final List<long[]> slots = new ArrayList<>();
    private final List<Fixup> fixups = new ArrayList<>();

    public Label newLabel(String name) {
        return new Label(name);
    }

    /** Marks the next instruction as the label's target. */
    public BpfAssembler bind(Label label) {
        if (label.position >= 0) {
            throw new IllegalStateException("label bound twice: " + label);
        }
        label.position = slots.size();
        return this;
    }

    /** {@code dst = imm} (64-bit register, immediate sign-extended). */
    public BpfAssembler movImm(int dst, int imm) {
        return alu64Imm(MOV, dst, imm);
    }

    /** {@code dst = src} (64-bit). */
    public BpfAssembler movReg(int dst, int src) {
        return alu64Reg(MOV, dst, src);
    }

    /** {@code dst op= imm} on 64 bits, e.g. {@code alu64Imm(ADD, R4, 14)}. */
    public BpfAssembler alu64Imm(int op, int dst, int imm) {
        return emit(ALU64 | op | SRC_K, dst, 0, 0, imm);
    }

    public BpfAssembler alu64Reg(int op, int dst, int src) {
        return emit(ALU64 | op | SRC_X, dst, src, 0, 0);
    }

    /** {@code dst op= imm} on the low 32 bits; the upper 32 bits become zero. */
    public BpfAssembler alu32Imm(int op, int dst, int imm) {
        return emit(ALU | op | SRC_K, dst, 0, 0, imm);
    }

    /** {@code dst op= src} on the low 32 bits; the upper 32 bits become zero ({@code MOV} zero-extends). */
    public BpfAssembler alu32Reg(int op, int dst, int src) {
        return emit(ALU | op | SRC_X, dst, src, 0, 0);
    }

    /** {@code dst = *(size *)(src + offset)}, zero-extended. */
    public BpfAssembler load(int size, int dst, int src, int offset) {
        return emit(LDX | MODE_MEM | sizeBits(size), dst, src, offset, 0);
    }

    /** {@code *(size *)(dst + offset) = src}. */
    public BpfAssembler store(int size, int dst, int offset, int src) {
        return emit(STX | MODE_MEM | sizeBits(size), dst, src, offset, 0);
    }

    /** {@code dst = map} via {@code lddw} with {@link #PSEUDO_MAP_FD}: two instruction slots. */
    public BpfAssembler loadMapFd(int dst, int mapFd) {
        emit(LD | SIZE_DW | MODE_IMM, dst, PSEUDO_MAP_FD, 0, mapFd);
        return emit(0, 0, 0, 0, 0);
    }

    /** {@code dst = imm64} via {@code lddw}: two instruction slots. */
    public BpfAssembler loadImm64(int dst, long imm) {
        emit(LD | SIZE_DW | MODE_IMM, dst, 0, 0, (int) imm);
        return emit(0, 0, 0, 0, (int) (imm >>> 32));
    }

    /** Unconditional jump. */
    public BpfAssembler jump(Label target) {
        return jumpTo(JMP | JA, 0, 0, 0, target);
    }

    /** {@code if (dst op imm) goto target}, comparing 64 bits with the immediate sign-extended. */
    public BpfAssembler jumpImm(int op, int dst, int imm, Label target) {
        return jumpTo(JMP | op | SRC_K, dst, 0, imm, target);
    }

    /** {@code if (dst op src) goto target} on 64 bits (also for packet pointer bounds checks). */
    public BpfAssembler jumpReg(int op, int dst, int src, Label target) {
        return jumpTo(JMP | op | SRC_X, dst, src, 0, target);
    }

    /** {@code if ((u32) dst op (u32) imm) goto target}: compares the low 32 bits only. */
    public BpfAssembler jump32Imm(int op, int dst, int imm, Label target) {
        return jumpTo(JMP32 | op | SRC_K, dst, 0, imm, target);
    }

    /** Calls kernel helper {@code helperId} (arguments in r1..r5, result in r0). */
    public BpfAssembler call(int helperId) {
        return emit(JMP | CALL, 0, 0, 0, helperId);
    }

    /** Returns r0 to the kernel. */
    public BpfAssembler exit() {
        return emit(JMP | EXIT, 0, 0, 0, 0);
    }

    /** Instructions (slots) emitted so far; lddw counts two. */
    public int size() {
        return slots.size();
    }

    /** Resolves every jump and returns the program bytes. */
    public BpfProgram assemble(String name, String license) {
        ByteBuffer out = ByteBuffer.allocate(slots.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Fixup f : fixups) {
            if (f.target.position < 0) {
                throw new IllegalStateException("jump to unbound label " + f.target + " at instruction " + f.slot);
            }
            int delta = f.target.position - (f.slot + 1);
            if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
                throw new IllegalStateException("jump too far: " + delta);
            }
            slots.get(f.slot)[2] = delta;
        }
        for (long[] s : slots) {
            out.put((byte) s[0]);
            out.put((byte) ((s[1] & 0x0f) | ((s[3] & 0x0f) << 4)));
            out.putShort((short) s[2]);
            out.putInt((int) s[4]);
        }
        return new BpfProgram(name, license, out.array());
    }

    private BpfAssembler jumpTo(int opcode, int dst, int src, int imm, Label target) {
        fixups.add(new Fixup(slots.size(), target));
        return emit(opcode, dst, src, 0, imm);
    }

    private BpfAssembler emit(int opcode, int dst, int src, int offset, int imm) {
        checkRegister(dst);
        checkRegister(src);
        if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset out of s16 range: " + offset);
        }
        // slot = {opcode, dst, offset, src, imm}
        slots.add(new long[] {opcode, dst, offset, src, imm});
        return this;
    }

    private static int sizeBits(int size) {
        return switch (size) {
            case BYTE -> SIZE_B;
            case HALF -> SIZE_H;
            case WORD -> SIZE_W;
            case DOUBLE -> SIZE_DW;
            default -> throw new IllegalArgumentException("load/store size must be 1, 2, 4 or 8: " + size);
        };
    }

    private static void checkRegister(int r) {
        if (r < 0 || r > 10) {
            throw new IllegalArgumentException("no such register r" + r);
        }
    }
}
