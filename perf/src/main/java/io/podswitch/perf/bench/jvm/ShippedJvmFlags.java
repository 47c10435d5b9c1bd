package io.podswitch.perf.bench.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags podswitch ships with. The launchers read them from {@code bin/lib/jvm.flags} and
 * {@code bin/lib/podswitchd.flags}; the perf jar carries the same two files as resources (perf/pom.xml),
 * so the bench starts its daemons and JMH forks with exactly the daemon's flags and there is one source
 * of truth.
 */
public final class ShippedJvmFlags {
    static final String COMMON = "jvm.flags";
    static final String DAEMON = "podswitchd.flags";

    private ShippedJvmFlags() {
    }

    /** {@code bin/lib/jvm.flags}: what every podswitch JVM needs (FFM, Agrona, inlining). */
    public static List<String> common() {
        return parse(resource(COMMON));
    }

    /** bin/podswitchd's flags: {@link #common()} then {@code bin/lib/podswitchd.flags} (collector, heap, THP). */
    public static List<String> daemon() {
        List<String> flags = new ArrayList<>(common());
        flags.addAll(parse(resource(DAEMON)));
        return List.copyOf(flags);
    }

    /** The flags in a flags file: words separated by blanks or new lines, {@code #} to the end of a line dropped. */
    static List<String> parse(String text) {
        List<String> flags = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            int hash = line.indexOf('#');
            String content = hash >= 0 ? line.substring(0, hash) : line;
            for (String word : content.trim().split("\\s+")) {
                if (!word.isEmpty()) {
                    flags.add(word);
                }
            }
        }
        return List.copyOf(flags);
    }

    private static String resource(String name) {
        try (InputStream in = ShippedJvmFlags.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the perf jar lacks " + name + " (copied from bin/lib by perf/pom.xml):"
                        + " rebuild with scripts/build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
