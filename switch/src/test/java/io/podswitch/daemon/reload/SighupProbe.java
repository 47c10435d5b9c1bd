package io.podswitch.daemon.reload;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child JVM for {@link ReloadTriggersTest}: reports whether it started with SIGHUP ignored, starts
 * {@link ReloadTriggers} on the config file named by its argument, prints each reload, and exits when its
 * standard input closes.
 */
public final class SighupProbe {
    private SighupProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("hup ignored at start: " + hupIgnored());
        try (ReloadTriggers triggers = ReloadTriggers.start(Path.of(args[0]), trigger -> {
            System.out.println("reload " + trigger);
            System.out.flush();
        })) {
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our input
            }
        }
    }

    /** Bit 0 of SigIgn in /proc/self/status is SIGHUP (signal 1). */
    static boolean hupIgnored() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring(7).strip(), 16) & 1) != 0;
            }
        }
        throw new IllegalStateException("no SigIgn in /proc/self/status");
    }
}
