package io.podswitch.perf.bench.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The JIT compilers a HotSpot JVM runs with, decided from its final flag values (not from the command
 * line, which JAVA_TOOL_OPTIONS, ergonomics and flag order can change): podswitch's data path is only
 * what it ships as with C2, and a C1-only JVM routes about ten times slower.
 */
public enum Compilers {
    /** C1 then C2 (the default). */
    TIERED("C1+C2", true),
    /** C2 only ({@code -XX:-TieredCompilation}, {@code CompilationMode=high-only}). */
    C2_ONLY("C2 only", true),
    /** C1 only ({@code -XX:TieredStopAtLevel=1..3}, {@code CompilationMode=quick-only}). */
    C1_ONLY("C1 only", false),
    /** No JIT ({@code -Xint}, {@code TieredStopAtLevel=0}). */
    INTERPRETER("interpreter only", false);

    private final String text;
    private final boolean c2;

    Compilers(String text, boolean c2) {
        this.text = text;
        this.c2 = c2;
    }

    /** How the report names it. */
    public String text() {
        return text;
    }

    /** Whether code reaches C2, as in the shipped daemon. */
    public boolean hasC2() {
        return c2;
    }

    /** From the final values of {@code UseCompiler}, {@code TieredCompilation}, {@code TieredStopAtLevel}, {@code CompilationMode}. */
    static Compilers of(boolean useCompiler, boolean tiered, int stopAtLevel, String compilationMode) {
        if (!useCompiler) {
            return INTERPRETER;
        }
        if ("quick-only".equals(compilationMode)) {
            return C1_ONLY;
        }
        if (compilationMode.startsWith("high-only") || !tiered) {
            return C2_ONLY;
        }
        if (stopAtLevel <= 0) {
            return INTERPRETER;
        }
        return stopAtLevel < 4 ? C1_ONLY : TIERED;
    }

    /** This JVM's, from its HotSpot diagnostic bean. */
    public static Compilers ofThisJvm() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        return of(Boolean.parseBoolean(hotspot.getVMOption("UseCompiler").getValue()),
                Boolean.parseBoolean(hotspot.getVMOption("TieredCompilation").getValue()),
                Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue()),
                hotspot.getVMOption("CompilationMode").getValue());
    }

    private static final Map<List<String>, Compilers> PROBED = new HashMap<>();

    /**
     * Those of a JVM started with {@code flags} (with this process's environment, JAVA_TOOL_OPTIONS
     * included): asks that JVM itself ({@code java FLAGS -XX:+PrintFlagsFinal -version}, ~0.2 s, once per
     * flag list).
     */
    public static synchronized Compilers ofJvmStartedWith(List<String> flags) throws IOException {
        Compilers known = PROBED.get(flags);
        if (known != null) {
            return known;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("java " + String.join(" ", flags) + " -XX:+PrintFlagsFinal -version failed: "
                        + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while probing the JVM flags", e);
        }
        Compilers c = fromPrintFlagsFinal(out);
        PROBED.put(List.copyOf(flags), c);
        return c;
    }

    /** From {@code -XX:+PrintFlagsFinal} output: lines {@code type name = value {origin}}. */
    static Compilers fromPrintFlagsFinal(String out) {
        Map<String, String> values = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 4 && words[2].equals("=")) {
                values.put(words[1], words[3]);
            }
        }
        for (String flag : List.of("UseCompiler", "TieredCompilation", "TieredStopAtLevel")) {
            if (!values.containsKey(flag)) {
                throw new IllegalArgumentException("no " + flag + " in the JVM's -XX:+PrintFlagsFinal output");
            }
        }
        return of(Boolean.parseBoolean(values.get("UseCompiler")), Boolean.parseBoolean(values.get("TieredCompilation")),
                Integer.parseInt(values.get("TieredStopAtLevel")), values.getOrDefault("CompilationMode", "default"));
    }
}
