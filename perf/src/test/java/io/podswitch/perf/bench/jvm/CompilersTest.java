package io.podswitch.perf.bench.jvm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompilersTest {

    @Test
    void decidedFromTheFinalFlagValuesAsHotSpotDoes() {
        assertEquals(Compilers.TIERED, Compilers.of(true, true, 4, "default"));
        assertEquals(Compilers.C1_ONLY, Compilers.of(true, true, 1, "default"));
        assertEquals(Compilers.C1_ONLY, Compilers.of(true, true, 3, "default"));
        assertEquals(Compilers.INTERPRETER, Compilers.of(true, true, 0, "default"));
        assertEquals(Compilers.INTERPRETER, Compilers.of(false, false, 4, "default"), "-Xint");
        // -XX:-TieredCompilation ignores TieredStopAtLevel: C2 only
        assertEquals(Compilers.C2_ONLY, Compilers.of(true, false, 1, "default"));
        assertEquals(Compilers.C1_ONLY, Compilers.of(true, true, 4, "quick-only"));
        assertEquals(Compilers.C2_ONLY, Compilers.of(true, true, 4, "high-only"));
        assertTrue(Compilers.TIERED.hasC2() && Compilers.C2_ONLY.hasC2());
        assertFalse(Compilers.C1_ONLY.hasC2() || Compilers.INTERPRETER.hasC2());
    }

    @Test
    void readsPrintFlagsFinalOutput() {
        String out = """
                [Global flags]
                     intx CICompilerCount                          = 1                                         {product} {ergonomic}
                    ccstr CompilationMode                          = default                                   {product} {default}
                     bool TieredCompilation                        = true                                   {pd product} {default}
                     intx TieredStopAtLevel                        = 1                                         {product} {command line}
                     bool UseCompiler                              = true                                      {product} {default}
                openjdk version "25.0.3" 2026-04-21 LTS
                """;
        assertEquals(Compilers.C1_ONLY, Compilers.fromPrintFlagsFinal(out));
    }

    @Test
    void asksTheJvmItselfWhatAFlagListGives() throws Exception {
        assertEquals(Compilers.C1_ONLY, Compilers.ofJvmStartedWith(List.of("-XX:TieredStopAtLevel=1")));
        assertEquals(Compilers.INTERPRETER, Compilers.ofJvmStartedWith(List.of("-Xint")));
        assertTrue(Compilers.ofJvmStartedWith(ShippedJvmFlags.daemon()).hasC2(), "the shipped daemon flags give C2");
        assertTrue(Compilers.ofThisJvm().hasC2(), "surefire's JVM (pom.xml argLine) has C2");
    }
}
