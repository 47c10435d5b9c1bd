package io.podswitch.port.afxdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A process that dies by SIGKILL leaves no XDP program behind: the BPF link is owned by its file
 * descriptor, and the kernel closes those when the process dies.
 */
@Tag("privileged")
class AfXdpKillTest {
    @ParameterizedTest
    @ValueSource(strings = {"GENERIC", "DRIVER"})
    void sigkillDetachesTheProgram(String mode) throws Exception {
        try (VethNamespaces net = new VethNamespaces()) {
            VethNamespaces.Side a = net.add('a', 1, 1);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), XdpHoldMain.class.getName(), a.rootInterface(), mode)
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
                String line;
                do {
                    line = out.readLine();
                } while (line != null && !line.startsWith("attached"));
                assertEquals("attached " + mode, line, "child attached the program");
                String attached = VethNamespaces.sh("ip", "-d", "link", "show", "dev", a.rootInterface());
                assertTrue(attached.contains("prog/xdp"), attached);

                child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no close()
                assertTrue(child.waitFor(10, TimeUnit.SECONDS));
                assertEquals(137, child.exitValue(), "killed by signal 9");

                String after = "";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                do {
                    Thread.sleep(50);
                    after = VethNamespaces.sh("ip", "-d", "link", "show", "dev", a.rootInterface());
                } while (after.contains("xdp") && System.nanoTime() < deadline);
                assertFalse(after.contains("xdp"), "no XDP program after SIGKILL: " + after);
            } finally {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
