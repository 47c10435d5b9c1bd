package io.podswitch.nativeio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: the running kernel's release, for tests whose expected outcome depends on it. */
public final class KernelRelease {
    private KernelRelease() {
    }

    /** The release as the kernel reports it, e.g. {@code 6.18.44-fc-v1147}. */
    public static String text() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Is the running kernel {@code major.minor} or later? */
    public static boolean atLeast(int major, int minor) {
        String[] v = text().split("[.-]");
        int ma = Integer.parseInt(v[0]);
        return ma > major || (ma == major && Integer.parseInt(v[1]) >= minor);
    }
}
