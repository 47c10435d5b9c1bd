package io.podswitch.perf.bench.jvm;

import io.podswitch.perf.report.SubjectJvm;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JVMs the subjects of the running scenario ran in, for the report, and the guard that a podswitch
 * subject runs with C2 as the shipped daemon does. The places that run podswitch code — the in-process
 * sides, the podswitchd launcher, the JMH runner — call it just before they do; the bench runner
 * {@link #drain drains} it after each scenario. Process-wide because those places are loaded by
 * {@code ServiceLoader} and know nothing of the run; scenarios run one at a time.
 */
public final class SubjectJvmLog {
    private static final Set<SubjectJvm> SEEN = new LinkedHashSet<>();

    private SubjectJvmLog() {
    }

    /**
     * {@code subject} is about to run in this JVM: recorded, and refused unless this JVM has C2.
     *
     * @param process what runs here, e.g. "bench JVM: the engine's workers"
     */
    public static void inThisJvm(String subject, String process) throws SubjectRefusedException {
        List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments();
        admit(subject, process, flags, Compilers.ofThisJvm());
    }

    /** A child JVM of {@code subject} is about to start with {@code flags}: recorded, and refused unless it would have C2. */
    public static void startingWith(String subject, String process, List<String> flags)
            throws SubjectRefusedException, IOException {
        admit(subject, process, flags, Compilers.ofJvmStartedWith(flags));
    }

    /**
     * A child JVM that ships without C2 by design (the CNI plugin: start-up time is pod start-up time):
     * recorded as it runs, never refused.
     */
    public static void startingAsShipped(String subject, String process, List<String> flags) throws IOException {
        record(new SubjectJvm(subject, process, flags, Compilers.ofJvmStartedWith(flags).text(), List.of()));
    }

    /** The JVMs recorded since the last call, each once, in the order first seen. */
    public static synchronized List<SubjectJvm> drain() {
        List<SubjectJvm> out = new ArrayList<>(SEEN);
        SEEN.clear();
        return out;
    }

    static void admit(String subject, String process, List<String> flags, Compilers compilers)
            throws SubjectRefusedException {
        List<String> missing = missingShippedFlags(flags);
        record(new SubjectJvm(subject, process, flags, compilers.text(), missing));
        if (!compilers.hasC2()) {
            throw new SubjectRefusedException("refused: " + subject + " would run " + compilers.text() + " ("
                    + process + "); podswitchd runs with C2 — start the bench as `bin/podswitch bench` (flags: the"
                    + " report's subject table)");
        }
    }

    /** The daemon's shipped flags that {@code flags} lacks. */
    static List<String> missingShippedFlags(List<String> flags) {
        List<String> missing = new ArrayList<>();
        List<String> shipped = ShippedJvmFlags.daemon();
        for (int i = 0; i < shipped.size(); i++) {
            String flag = shipped.get(i);
            if (flag.startsWith("--") && !flag.contains("=") && i + 1 < shipped.size()) {
                String pair = flag + " " + shipped.get(++i); // --add-opens VALUE: one flag in two words
                if (!containsPair(flags, flag, shipped.get(i))) {
                    missing.add(pair);
                }
            } else if (!flags.contains(flag)) {
                missing.add(flag);
            }
        }
        return missing;
    }

    private static boolean containsPair(List<String> flags, String option, String value) {
        for (int i = 0; i + 1 < flags.size(); i++) {
            if (flags.get(i).equals(option) && flags.get(i + 1).equals(value)) {
                return true;
            }
        }
        return flags.contains(option + "=" + value);
    }

    private static synchronized void record(SubjectJvm jvm) {
        SEEN.add(jvm);
    }
}
