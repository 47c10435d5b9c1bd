package io.podswitch.cni;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Optional per-invocation log line, written only when the netconf names a {@code debugLogFile}.
 * Never stdout (that is the runtime's result channel), and a failing log never fails the command.
 */
final class DebugLog {
    private DebugLog() {
    }

    static void append(String file, String line) {
        if (file == null) {
            return;
        }
        try {
            Files.writeString(Path.of(file), Instant.now() + " " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException ignored) {
            // Debug output is best effort by design; the runtime's result must not depend on it.
        }
    }
}
