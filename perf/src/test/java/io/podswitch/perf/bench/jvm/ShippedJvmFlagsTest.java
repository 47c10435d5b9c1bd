package io.podswitch.perf.bench.jvm;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShippedJvmFlagsTest {

    @Test
    void flagsFileFormat() {
        assertEquals(List.of("-a", "--add-opens", "x/y=z", "-b"),
                ShippedJvmFlags.parse("# comment -c\n-a\n\n  --add-opens x/y=z   # why\n\t-b # -d\n"));
        assertEquals(List.of(), ShippedJvmFlags.parse("# only a comment\n"));
    }

    @Test
    void theDaemonFlagsAreTheLaunchersFilesAndKeepC2() throws Exception {
        Path lib = Path.of("..", "bin", "lib"); // surefire runs in the module directory
        List<String> common = ShippedJvmFlags.parse(Files.readString(lib.resolve("jvm.flags")));
        List<String> daemon = ShippedJvmFlags.parse(Files.readString(lib.resolve("podswitchd.flags")));
        assertEquals(common, ShippedJvmFlags.common(), "the perf jar's copy is bin/lib/jvm.flags");
        assertEquals(daemon, ShippedJvmFlags.daemon().subList(common.size(), ShippedJvmFlags.daemon().size()));
        assertTrue(common.contains("--enable-native-access=ALL-UNNAMED"));
        assertTrue(daemon.contains("-XX:+UseG1GC"));
        assertFalse(ShippedJvmFlags.daemon().stream().anyMatch(f -> f.startsWith("-XX:TieredStopAtLevel")
                || f.equals("-Xint")), "the daemon ships with C2");
    }

    @Test
    void theTestSuiteRunsWithTheCommonFlags() throws Exception {
        Matcher m = Pattern.compile("<podswitch\\.jvm\\.flags>([^<]*)</podswitch\\.jvm\\.flags>")
                .matcher(Files.readString(Path.of("..", "pom.xml")));
        assertTrue(m.find(), "pom.xml defines podswitch.jvm.flags (surefire's argLine)");
        assertEquals(ShippedJvmFlags.common(), ShippedJvmFlags.parse(m.group(1)),
                "pom.xml's podswitch.jvm.flags must say what bin/lib/jvm.flags says");
    }
}
