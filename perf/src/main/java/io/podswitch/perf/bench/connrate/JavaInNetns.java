package io.podswitch.perf.bench.connrate;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The command that runs one of the load mains in a pod: {@code ip netns exec POD <this JVM's java>
 * <flags> -cp <this JVM's class path, absolute> MAIN args...}.
 */
public final class JavaInNetns {

    /** Small heap, serial GC: several of these share two cores with the forwarder. */
    static final List<String> FLAGS = List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:-UsePerfData",
            "-Xlog:disable", "-Xlog:all=warning:stderr");

    private JavaInNetns() {
    }

    public static List<String> command(String netns, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(FLAGS);
        cmd.addAll(List.of("-cp", absoluteClassPath(), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The running JVM's class path with absolute entries (the child may run in another directory). */
    public static String absoluteClassPath() {
        return List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(e -> !e.isEmpty()).map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
