package io.podswitch.perf.report;

import java.util.List;
import java.util.Objects;

/**
 * A JVM a subject of a scenario ran in, as report.json and report.md show it.
 *
 * @param subject             the subject ({@code podswitch}, ...)
 * @param process             which process: the bench's own JVM, a podswitchd child, a JMH fork, ...
 * @param jvmFlags            the flags it was started with
 * @param compilers           its JIT compilers as the JVM reports them ("C1+C2", "C1 only", ...)
 * @param missingShippedFlags shipped flags (bin/lib/*.flags) it ran without; empty = as shipped
 */
public record SubjectJvm(String subject, String process, List<String> jvmFlags, String compilers,
                         List<String> missingShippedFlags) {

    public SubjectJvm {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(compilers, "compilers");
        jvmFlags = List.copyOf(jvmFlags);
        missingShippedFlags = List.copyOf(missingShippedFlags);
    }
}
