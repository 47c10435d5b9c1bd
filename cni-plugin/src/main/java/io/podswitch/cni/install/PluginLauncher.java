package io.podswitch.cni.install;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The executable install-cni puts in the CNI bin dir under the plugin's type name: a POSIX shell
 * script that is one {@code exec} of the plugin JVM with every path resolved at install time (the
 * JDK, the jar, the AOT cache). Nothing is looked up per call — no JDK search, no class path
 * assembly — because each call is a pod start, and {@code /bin/sh} (dash on Debian) starts faster
 * than bash.
 */
final class PluginLauncher {
    /** The file name runtimes look up: the conflist's {@code type}. */
    static final String NAME = Conflist.PLUGIN_TYPE;
    /** The line that marks a launcher as install-cni's (uninstall removes only such a file). */
    static final String MARKER = "# podswitch-cni launcher written by 'podswitch install-cni'";

    private PluginLauncher() {
    }

    /** @param aotCache the cache to use, or null */
    static byte[] render(Path java, Path jar, Path aotCache) {
        List<String> command = PluginJvm.command(java, aotCache, jar);
        StringBuilder sb = new StringBuilder();
        sb.append("#!/bin/sh\n").append(MARKER).append(" — re-run it to change this file.\n")
                .append("# The CNI plugin of podswitch (docs/cni.md); every path is resolved at install time.\n")
                .append("exec");
        for (String word : command) {
            sb.append(' ').append(quote(word));
        }
        sb.append(" \"$@\"\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Single-quotes a word for sh unless it is plainly safe. */
    static String quote(String word) {
        boolean plain = !word.isEmpty();
        for (int i = 0; i < word.length() && plain; i++) {
            char c = word.charAt(i);
            plain = Character.isLetterOrDigit(c) || "-_./=:+,@%".indexOf(c) >= 0;
        }
        return plain ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    static boolean isOurs(byte[] content) {
        return new String(content, StandardCharsets.UTF_8).contains(MARKER);
    }
}
