package io.podswitch.perf.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A container root file system without a registry: Debian's static busybox ({@code busybox-static})
 * and the applets the runtime tests use. busybox's static {@code wget} segfaults on these machines
 * (name resolution through glibc's NSS in a static binary), so TCP goes through {@code nc}.
 */
public final class BusyboxRootfs {
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    public static final String INSTALL_HINT = "apt-get install -y busybox-static";
    static final List<String> APPLETS = List.of("sh", "ip", "ping", "nc", "sleep", "cat", "echo", "true", "hostname");

    private BusyboxRootfs() {
    }

    /** {@code dir} with bin/busybox and its applets, plus the empty mount points a runtime expects. */
    public static Path create(Path dir) throws IOException {
        if (!Files.isRegularFile(BUSYBOX)) {
            throw new IOException(BUSYBOX + " is missing: " + INSTALL_HINT);
        }
        for (String d : List.of("bin", "etc", "tmp", "proc", "sys", "dev", "run")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.copy(BUSYBOX, dir.resolve("bin/busybox"));
        dir.resolve("bin/busybox").toFile().setExecutable(true, false);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(dir.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        return dir;
    }
}
