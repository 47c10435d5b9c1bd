package io.podswitch.nativeio.bpf;

import java.util.Arrays;

/** An assembled eBPF program: its name (shown by bpftool), license and instruction bytes. */
public final class BpfProgram {
    private final String name;
    private final String license;
    private final byte[] code;

    public BpfProgram(String name, String license, byte[] code) {
        if (code.length == 0 || code.length % 8 != 0) {
            throw new IllegalArgumentException("program must be a non-empty multiple of 8 bytes: " + code.length);
        }
        this.name = name;
        this.license = license;
        this.code = code.clone();
    }

    public String name() {
        return name;
    }

    public String license() {
        return license;
    }

    /** The instruction bytes (the array itself; callers must not change it). */
    public byte[] code() {
        return code;
    }

    public int instructionCount() {
        return code.length / 8;
    }

    /** One instruction as 16 hex digits in memory order, for tests and logs. */
    public String hex(int instruction) {
        StringBuilder sb = new StringBuilder(16);
        for (byte b : Arrays.copyOfRange(code, instruction * 8, instruction * 8 + 8)) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
