package io.podswitch.nativeio.bpf;

import static io.podswitch.nativeio.bpf.BpfAssembler.ADD;
import static io.podswitch.nativeio.bpf.BpfAssembler.AND;
import static io.podswitch.nativeio.bpf.BpfAssembler.HALF;
import static io.podswitch.nativeio.bpf.BpfAssembler.JEQ;
import static io.podswitch.nativeio.bpf.BpfAssembler.JGT;
import static io.podswitch.nativeio.bpf.BpfAssembler.R0;
import static io.podswitch.nativeio.bpf.BpfAssembler.R1;
import static io.podswitch.nativeio.bpf.BpfAssembler.R2;
import static io.podswitch.nativeio.bpf.BpfAssembler.R3;
import static io.podswitch.nativeio.bpf.BpfAssembler.R4;
import static io.podswitch.nativeio.bpf.BpfAssembler.R5;
import static io.podswitch.nativeio.bpf.BpfAssembler.R10;
import static io.podswitch.nativeio.bpf.BpfAssembler.WORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Instruction encodings compared with what llvm-objdump prints for the same instructions. */
class BpfAssemblerTest {
    private static String one(BpfAssembler a) {
        return a.assemble("t", "GPL").hex(0);
    }

    @Test
    void movesAndAlu() {
        assertEquals("b700000002000000", one(new BpfAssembler().movImm(R0, 2)));            // r0 = 2
        assertEquals("bf16000000000000", one(new BpfAssembler().movReg(6, R1)));            // r6 = r1
        assertEquals("070400000e000000", one(new BpfAssembler().alu64Imm(ADD, R4, 14)));    // r4 += 14
        assertEquals("0f54000000000000", one(new BpfAssembler().alu64Reg(ADD, R4, R5)));    // r4 += r5
        assertEquals("540500000f000000", one(new BpfAssembler().alu32Imm(AND, R5, 15)));    // w5 &= 15
        assertEquals("b7000000ffffffff", one(new BpfAssembler().movImm(R0, -1)));           // r0 = -1
    }

    @Test
    void loadsAndStores() {
        assertEquals("6112100000000000", one(new BpfAssembler().load(WORD, R2, R1, 16)));   // r2 = *(u32 *)(r1 + 16)
        assertEquals("69250c0000000000", one(new BpfAssembler().load(HALF, R5, R2, 12)));   // r5 = *(u16 *)(r2 + 12)
        assertEquals("71250e0000000000", one(new BpfAssembler().load(1, R5, R2, 14)));      // r5 = *(u8 *)(r2 + 14)
        assertEquals("7b1af8ff00000000", one(new BpfAssembler().store(8, R10, -8, R1)));    // *(u64 *)(r10 - 8) = r1
    }

    @Test
    void callExitAndMapLoad() {
        assertEquals("8500000033000000", one(new BpfAssembler().call(51)));                 // call bpf_redirect_map
        assertEquals("9500000000000000", one(new BpfAssembler().exit()));
        BpfProgram p = new BpfAssembler().loadMapFd(R1, 5).exit().assemble("t", "GPL");
        assertEquals(3, p.instructionCount());
        assertEquals("1811000005000000", p.hex(0));                                          // r1 = map_fd(5)
        assertEquals("0000000000000000", p.hex(1));
        BpfProgram imm = new BpfAssembler().loadImm64(R2, 0x1122334455667788L).assemble("t", "GPL");
        assertEquals("1802000088776655", imm.hex(0));
        assertEquals("0000000044332211", imm.hex(1));
    }

    @Test
    void forwardAndBackwardJumpsAreFixedUp() {
        BpfAssembler a = new BpfAssembler();
        BpfAssembler.Label out = a.newLabel("out");
        BpfAssembler.Label top = a.newLabel("top");
        a.bind(top);
        a.jumpReg(JGT, R4, R3, out);     // 0: if r4 > r3 goto +2
        a.jump32Imm(JEQ, R5, 8, top);    // 1: if w5 == 8 goto -2
        a.jumpImm(JEQ, R5, 8, out);      // 2: if r5 == 8 goto +0
        a.bind(out);
        a.exit();                        // 3
        BpfProgram p = a.assemble("t", "GPL");
        assertEquals("2d34020000000000", p.hex(0));
        assertEquals("1605feff08000000", p.hex(1));
        assertEquals("1505000008000000", p.hex(2));
    }

    @Test
    void mistakesAreRefused() {
        BpfAssembler a = new BpfAssembler();
        BpfAssembler.Label nowhere = a.newLabel("nowhere");
        a.jump(nowhere);
        assertThrows(IllegalStateException.class, () -> a.assemble("t", "GPL"));
        assertThrows(IllegalArgumentException.class, () -> new BpfAssembler().movImm(11, 0));
        assertThrows(IllegalArgumentException.class, () -> new BpfAssembler().load(3, R0, R1, 0));
        BpfAssembler b = new BpfAssembler();
        BpfAssembler.Label l = b.newLabel("twice");
        b.bind(l);
        assertThrows(IllegalStateException.class, () -> b.bind(l));
    }
}
