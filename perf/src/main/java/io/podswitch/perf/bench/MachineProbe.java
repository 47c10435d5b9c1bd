package io.podswitch.perf.bench;

import io.podswitch.perf.report.MachineDescription;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Describes the machine from /proc and /sys (relative to a root, so tests can feed fixtures) and
 * the podswitch commit from the git metadata (read directly; {@code git} is only a fallback).
 */
public final class MachineProbe {

    private final Path root;
    private final Path workingDir;

    public MachineProbe(Path root, Path workingDir) {
        this.root = root;
        this.workingDir = workingDir;
    }

    public static MachineProbe live() {
        return new MachineProbe(Path.of("/"), Path.of("").toAbsolutePath());
    }

    public MachineDescription describe() {
        String cpuinfo = read("proc/cpuinfo").orElse("");
        String model = field(cpuinfo, "model name").orElse(MachineDescription.UNKNOWN);
        String frequency = read("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
                .map(khz -> Math.round(Long.parseLong(khz.trim()) / 1000.0) + " MHz max")
                .or(() -> field(cpuinfo, "cpu MHz").map(mhz -> mhz + " MHz (current)"))
                .orElse(MachineDescription.UNKNOWN);
        String governor = read("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").map(String::trim)
                .orElse(MachineDescription.UNKNOWN);
        String kernel = read("proc/sys/kernel/osrelease").map(String::trim).orElse(MachineDescription.UNKNOWN);
        String hostname = read("proc/sys/kernel/hostname").map(String::trim).orElse(MachineDescription.UNKNOWN);
        String jdk = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vm.name") + ")";
        List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments();
        return new MachineDescription(hostname, model, Runtime.getRuntime().availableProcessors(), frequency,
                governor, kernel, jdk, flags, OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString(),
                gitCommit().orElse(MachineDescription.UNKNOWN));
    }

    /** Nominal CPU frequency in Hz (max from cpufreq, else cpuinfo's current MHz), for ns → cycles. */
    public Optional<Double> cpuHz() {
        return read("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").map(k -> Double.parseDouble(k.trim()) * 1e3)
                .or(() -> field(read("proc/cpuinfo").orElse(""), "cpu MHz").map(m -> Double.parseDouble(m) * 1e6));
    }

    /** The commit of the checkout we run from: .git/HEAD (worktrees and packed refs too), else git. */
    public Optional<String> gitCommit() {
        for (Path dir = workingDir; dir != null; dir = dir.getParent()) {
            Path dotGit = dir.resolve(".git");
            if (Files.exists(dotGit)) {
                Optional<String> fromFiles = commitFromGitDir(dotGit);
                return fromFiles.isPresent() ? fromFiles : commitFromGitCommand();
            }
        }
        return commitFromGitCommand();
    }

    private static Optional<String> commitFromGitDir(Path dotGit) {
        try {
            Path gitDir = dotGit;
            if (Files.isRegularFile(dotGit)) { // a worktree: ".git" holds "gitdir: <path>"
                String line = Files.readString(dotGit).trim();
                if (!line.startsWith("gitdir:")) {
                    return Optional.empty();
                }
                gitDir = dotGit.getParent().resolve(line.substring(7).trim()).normalize();
            }
            String head = Files.readString(gitDir.resolve("HEAD")).trim();
            if (!head.startsWith("ref:")) {
                return isSha(head) ? Optional.of(head) : Optional.empty();
            }
            String ref = head.substring(4).trim();
            Path common = gitDir;
            Path commondir = gitDir.resolve("commondir");
            if (Files.isRegularFile(commondir)) {
                common = gitDir.resolve(Files.readString(commondir).trim()).normalize();
            }
            for (Path base : List.of(gitDir, common)) {
                Path refFile = base.resolve(ref);
                if (Files.isRegularFile(refFile)) {
                    String sha = Files.readString(refFile).trim();
                    return isSha(sha) ? Optional.of(sha) : Optional.empty();
                }
            }
            Path packed = common.resolve("packed-refs");
            if (Files.isRegularFile(packed)) {
                for (String line : Files.readAllLines(packed)) {
                    String[] parts = line.split(" ");
                    if (parts.length == 2 && parts[1].equals(ref) && isSha(parts[0])) {
                        return Optional.of(parts[0]);
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<String> commitFromGitCommand() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(workingDir.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && isSha(out)) {
                return Optional.of(out);
            }
            p.destroyForcibly();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // git is not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static boolean isSha(String s) {
        return s.matches("[0-9a-f]{40}([0-9a-f]{24})?");
    }

    private Optional<String> read(String relative) {
        try {
            return Optional.of(Files.readString(root.resolve(relative), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> field(String cpuinfo, String key) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return Optional.of(line.substring(colon + 1).trim());
            }
        }
        return Optional.empty();
    }
}
