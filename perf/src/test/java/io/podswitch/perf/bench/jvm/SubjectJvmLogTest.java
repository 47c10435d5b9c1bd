package io.podswitch.perf.bench.jvm;

import io.podswitch.perf.report.SubjectJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubjectJvmLogTest {

    @BeforeEach
    @AfterEach
    void clear() {
        SubjectJvmLog.drain(); // other tests in this JVM ran sides that record themselves
    }

    @Test
    void aSubjectWithoutC2IsRefusedAndStillReported() {
        List<String> c1 = List.of("--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1");
        SubjectRefusedException e = assertThrows(SubjectRefusedException.class,
                () -> SubjectJvmLog.admit("podswitch", "bench JVM: test", c1, Compilers.C1_ONLY));
        assertTrue(e.getMessage().contains("C1 only") && e.getMessage().contains("bin/podswitch bench"), e.getMessage());
        assertThrows(SubjectRefusedException.class,
                () -> SubjectJvmLog.admit("podswitch", "bench JVM: test", List.of("-Xint"), Compilers.INTERPRETER));
        List<SubjectJvm> seen = SubjectJvmLog.drain();
        assertEquals(2, seen.size());
        assertEquals("C1 only", seen.getFirst().compilers());
        assertEquals(c1, seen.getFirst().jvmFlags());
        assertTrue(seen.getFirst().missingShippedFlags().contains("-XX:+UseG1GC"));
        assertEquals(List.of(), SubjectJvmLog.drain(), "drained");
    }

    @Test
    void theShippedFlagsPassAndAreRecordedOnce() throws Exception {
        SubjectJvmLog.admit("podswitch", "p", ShippedJvmFlags.daemon(), Compilers.TIERED);
        SubjectJvmLog.admit("podswitch", "p", ShippedJvmFlags.daemon(), Compilers.TIERED);
        SubjectJvmLog.inThisJvm("podswitch", "surefire JVM");
        List<SubjectJvm> seen = SubjectJvmLog.drain();
        assertEquals(2, seen.size(), seen.toString());
        assertEquals(List.of(), seen.getFirst().missingShippedFlags());
        assertEquals("C1+C2", seen.getFirst().compilers());
    }

    @Test
    void missingShippedFlagsAcceptBothSpellingsOfAddOpens() {
        List<String> asTheMxBeanShowsThem = new ArrayList<>();
        for (int i = 0; i < ShippedJvmFlags.daemon().size(); i++) {
            String f = ShippedJvmFlags.daemon().get(i);
            asTheMxBeanShowsThem.add(f.equals("--add-opens") ? f + "=" + ShippedJvmFlags.daemon().get(++i) : f);
        }
        assertEquals(List.of(), SubjectJvmLog.missingShippedFlags(asTheMxBeanShowsThem));
        assertEquals(List.of(), SubjectJvmLog.missingShippedFlags(ShippedJvmFlags.daemon()));
        List<String> withoutThp = new ArrayList<>(ShippedJvmFlags.daemon());
        withoutThp.remove("-XX:+UseTransparentHugePages");
        assertEquals(List.of("-XX:+UseTransparentHugePages"), SubjectJvmLog.missingShippedFlags(withoutThp));
        List<String> withoutNio = new ArrayList<>(ShippedJvmFlags.daemon());
        int nio = withoutNio.indexOf("java.base/java.nio=ALL-UNNAMED");
        withoutNio.remove(nio);
        withoutNio.remove(nio - 1);
        assertEquals(List.of("--add-opens java.base/java.nio=ALL-UNNAMED"), SubjectJvmLog.missingShippedFlags(withoutNio));
    }
}
