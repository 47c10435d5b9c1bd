package io.podswitch.cni.install;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code podswitch install-cni}: puts the CNI plugin where the node's runtime finds it (what a
 * DaemonSet's init container runs; docs/operations.md). See {@link InstallOptions#USAGE}.
 */
public final class InstallCni {
    static final int USAGE_ERROR = 64;

    private InstallCni() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs install-cni in this JVM (the bench and tests use it like the command): the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                out.println(InstallOptions.USAGE);
                return 0;
            }
        }
        InstallOptions options;
        try {
            options = InstallOptions.parse(args, Path.of(System.getProperty("java.home")), ownJar());
        } catch (InstallOptions.UsageException e) {
            err.println("podswitch install-cni: " + e.getMessage());
            err.println(InstallOptions.USAGE);
            return USAGE_ERROR;
        }
        CniInstaller installer = new CniInstaller(options, line -> {
            out.println("install-cni: " + line);
            out.flush();
        });
        try {
            if (options.uninstall()) {
                installer.uninstall();
            } else {
                installer.install();
            }
            return 0;
        } catch (InstallException e) {
            err.println("podswitch install-cni: " + e.getMessage());
            return e.exitCode();
        } catch (IOException | RuntimeException e) {
            err.println("podswitch install-cni: " + e);
            return InstallException.FAILED;
        }
    }

    /** The jar this class was loaded from, or null (run from a classes directory, e.g. in tests). */
    public static Path ownJar() {
        try {
            Path p = Path.of(InstallCni.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
