package io.podswitch.cni.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the plugin's JVM is started: the flags of {@code bin/lib/podswitch-cni.flags} (carried in the
 * jar as a resource, so the launcher install-cni writes and the AOT cache it trains always agree
 * with the checkout's launcher), the main class and the class path of one jar.
 */
public final class PluginJvm {
    /** The plugin's entry point. */
    public static final String MAIN_CLASS = "io.podswitch.cni.PodswitchCni";
    static final String FLAGS_RESOURCE = "podswitch-cni.flags";

    private PluginJvm() {
    }

    /** The flags, in file order, without comments and blank lines. */
    public static List<String> flags() {
        try (InputStream in = PluginJvm.class.getResourceAsStream(FLAGS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(FLAGS_RESOURCE + " is missing from the podswitch-cni jar (build it with Maven)");
            }
            return parseFlags(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One flag per line; '#' starts a comment line. */
    static List<String> parseFlags(String text) {
        List<String> flags = new ArrayList<>();
        for (String line : text.split("\n")) {
            String flag = line.strip();
            if (!flag.isEmpty() && !flag.startsWith("#")) {
                flags.add(flag);
            }
        }
        return List.copyOf(flags);
    }

    /**
     * The full command: {@code java FLAGS [-XX:AOTCache=CACHE] -cp JAR MAIN}.
     * @param aotCache the cache to use, or null for none
     */
    public static List<String> command(Path java, Path aotCache, Path jar) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(flags());
        if (aotCache != null) {
            cmd.add("-XX:AOTCache=" + aotCache);
        }
        cmd.add("-cp");
        cmd.add(jar.toString());
        cmd.add(MAIN_CLASS);
        return cmd;
    }
}
