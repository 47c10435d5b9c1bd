package io.podswitch.perf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether we run with an effective uid of 0 (namespaces, links and TAPs need it). */
public final class RootCheck {

    private RootCheck() {
    }

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
