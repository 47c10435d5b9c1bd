package io.podswitch.perf.bench;

import io.podswitch.perf.report.MachineDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MachineProbeTest {

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void readsCpuKernelGovernorFromProcAndSys(@TempDir Path root) throws IOException {
        write(root.resolve("proc/cpuinfo"), "processor\t: 0\nmodel name\t: Test CPU @ 3.00GHz\ncpu MHz\t\t: 2999.9\n");
        write(root.resolve("proc/sys/kernel/osrelease"), "6.9.1-test\n");
        write(root.resolve("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"), "3500000\n");
        write(root.resolve("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"), "performance\n");
        MachineDescription d = new MachineProbe(root, root).describe();
        assertEquals("Test CPU @ 3.00GHz", d.cpuModel());
        assertEquals("6.9.1-test", d.kernel());
        assertEquals("3500 MHz max", d.cpuFrequency());
        assertEquals("performance", d.governor());
        assertEquals(Optional.of(3.5e9), new MachineProbe(root, root).cpuHz());
    }

    @Test
    void unreadableFieldsAreUnknown(@TempDir Path root) {
        MachineDescription d = new MachineProbe(root, root).describe();
        assertEquals(MachineDescription.UNKNOWN, d.cpuModel());
        assertEquals(MachineDescription.UNKNOWN, d.governor());
        assertEquals(MachineDescription.UNKNOWN, d.kernel());
    }

    @Test
    void commitFromALooseRef(@TempDir Path repo) throws IOException {
        write(repo.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        write(repo.resolve(".git/refs/heads/main"), SHA + "\n");
        Path sub = Files.createDirectories(repo.resolve("perf/target"));
        assertEquals(Optional.of(SHA), new MachineProbe(repo, sub).gitCommit());
    }

    @Test
    void commitFromPackedRefsAndDetachedHead(@TempDir Path repo) throws IOException {
        write(repo.resolve(".git/HEAD"), "ref: refs/heads/wip\n");
        write(repo.resolve(".git/packed-refs"), "# pack-refs with: peeled\n" + SHA + " refs/heads/wip\n");
        assertEquals(Optional.of(SHA), new MachineProbe(repo, repo).gitCommit());
        write(repo.resolve(".git/HEAD"), SHA.replace('0', 'f') + "\n");
        assertEquals(Optional.of(SHA.replace('0', 'f')), new MachineProbe(repo, repo).gitCommit());
    }

    @Test
    void commitOfAWorktree(@TempDir Path dir) throws IOException {
        Path main = dir.resolve("main");
        Path wt = dir.resolve("wt");
        write(main.resolve(".git/worktrees/wt/HEAD"), "ref: refs/heads/wip/perf\n");
        write(main.resolve(".git/worktrees/wt/commondir"), "../..\n");
        write(main.resolve(".git/refs/heads/wip/perf"), SHA + "\n");
        write(wt.resolve(".git"), "gitdir: " + main.resolve(".git/worktrees/wt") + "\n");
        assertEquals(Optional.of(SHA), new MachineProbe(dir, wt).gitCommit());
    }
}
