package io.podswitch.perf.cpu;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time of the kernel's {@code ksoftirqd/N} threads, in nanoseconds. With IRQ time accounting
 * the softirq work a CPU does on its own goes to {@code /proc/stat}'s softirq column, but what it
 * defers to ksoftirqd is charged to that thread as system time — network receive under load is
 * exactly such work, so a path's kernel share needs both.
 */
public final class KernelNetThreads {
    private static final Path PROC = Path.of("/proc");
    private final List<Path> stats;

    private KernelNetThreads(List<Path> stats) {
        this.stats = stats;
    }

    /** Finds the ksoftirqd threads once (they live as long as their CPU is online). */
    public static KernelNetThreads find() throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path dir : dirs) {
                try {
                    if (Files.readString(dir.resolve("comm")).startsWith("ksoftirqd/")) {
                        found.add(dir.resolve("stat"));
                    }
                } catch (NoSuchFileException | java.nio.file.AccessDeniedException e) {
                    // gone meanwhile, or not ours to read: not a ksoftirqd
                }
            }
        }
        return new KernelNetThreads(List.copyOf(found));
    }

    /** How many ksoftirqd threads were found. */
    public int count() {
        return stats.size();
    }

    /** Their user + system time so far. */
    public long cpuNs() throws IOException {
        long sum = 0;
        for (Path p : stats) {
            try {
                long[] t = ProcessTreeTimes.ticks(Files.readString(p), 2);
                sum += (t[0] + t[1]) * CpuTimes.NS_PER_TICK;
            } catch (NoSuchFileException e) {
                // its CPU went offline: it no longer runs
            }
        }
        return sum;
    }
}
