package io.podswitch.cni.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The plugin's AOT cache (JDK 25: JEP 483 class loading and linking, JEP 514 one-step creation,
 * JEP 515 method profiles): made once per install by a training run with exactly the launcher's
 * flags and class path, because the JVM rejects a cache made with another jar, JDK or GC. Written
 * atomically (a plugin starting meanwhile uses the old cache or none) and verified with
 * {@code -XX:AOTMode=on}, which refuses to start instead of silently running without it.
 */
final class AotCache {
    static final long TRAINING_TIMEOUT_SECONDS = 300;
    static final long VERIFY_TIMEOUT_SECONDS = 60;

    private AotCache() {
    }

    /** Identifies what a cache was made for: the JDK, the jar's content and the flags. */
    static String fingerprint(String javaIdentity, String jarSha256, List<String> flags) {
        return AtomicFiles.sha256((javaIdentity + "\n" + jarSha256 + "\n" + String.join(" ", flags))
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Runs the training and moves the new cache over {@code cache}. */
    static void train(Path java, Path jar, Path cache) throws InstallException {
        Path tmp = AtomicFiles.temporarySibling(cache);
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(PluginJvm.flags());
        cmd.add("-XX:AOTCacheOutput=" + tmp);
        cmd.addAll(List.of("-cp", jar.toString(), AotTraining.class.getName()));
        try {
            Files.deleteIfExists(tmp);
            ChildProcess training = ChildProcess.run(cmd, Map.of(), "", TRAINING_TIMEOUT_SECONDS);
            if (training.exit() != 0 || !Files.isRegularFile(tmp)) {
                throw new InstallException(InstallException.FAILED, "AOT cache training failed (exit " + training.exit()
                        + "): " + training.output());
            }
            AtomicFiles.moveIntoPlace(tmp, cache);
        } catch (IOException e) {
            throw new InstallException("AOT cache training: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: a leftover hidden .tmp is never loaded
            }
        }
    }

    /** Starts the plugin (VERSION) with {@code -XX:AOTMode=on}: fails unless the JVM maps the cache. */
    static void verify(Path java, Path jar, Path cache) throws InstallException {
        List<String> cmd = new ArrayList<>(PluginJvm.command(java, cache, jar));
        cmd.add(cmd.size() - 3, "-XX:AOTMode=on");
        try {
            ChildProcess run = ChildProcess.run(cmd, Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}",
                    VERIFY_TIMEOUT_SECONDS);
            if (run.exit() != 0 || !run.stdout().contains("\"supportedVersions\"")) {
                throw new InstallException(InstallException.FAILED, "the plugin does not start with its AOT cache "
                        + cache + " (exit " + run.exit() + "): " + run.output());
            }
        } catch (IOException e) {
            throw new InstallException("verifying the AOT cache: " + e.getMessage(), e);
        }
    }
}
