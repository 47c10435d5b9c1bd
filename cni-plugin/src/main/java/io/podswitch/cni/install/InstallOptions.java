package io.podswitch.cni.install;

import java.nio.file.Path;

/**
 * What {@code podswitch install-cni} was asked to do. Every path is where the <em>host's</em>
 * runtime will look: in a DaemonSet's init container, mount the host directories at the same paths
 * (docs/operations.md), because the launcher and the AOT cache record absolute paths.
 */
record InstallOptions(Path cniBinDir, Path cniConfDir, Path conflist, String conflistName, String socket,
        Path pluginDir, Path javaHome, boolean copyJava, Path pluginJar, boolean aotCache, boolean uninstall) {

    static final Path DEFAULT_BIN_DIR = Path.of("/opt/cni/bin");
    static final Path DEFAULT_CONF_DIR = Path.of("/etc/cni/net.d");
    static final String DEFAULT_CONFLIST_NAME = "10-podswitch.conflist";
    static final Path DEFAULT_PLUGIN_DIR = Path.of("/var/lib/podswitch/cni");

    static final String USAGE = """
            usage: podswitch install-cni [options]
              Installs the podswitch CNI plugin for the node's container runtime: the plugin jar and its
              AOT cache in --plugin-dir, the launcher in the CNI bin dir, the conflist in the CNI conf dir.
              Idempotent (files already up to date are left alone); other CNIs' files are never touched.
              --cni-bin-dir DIR     where runtimes look up plugins (default /opt/cni/bin)
              --cni-conf-dir DIR    where runtimes read network configs (default /etc/cni/net.d)
              --conflist FILE       the network config list to install (default: the shipped 10-podswitch.conflist)
              --conflist-name NAME  its file name in the conf dir (default 10-podswitch.conflist); containerd
                                    and CRI-O use the first file by name
              --socket PATH         podswitchd's control socket, written into the conflist
                                    (default: as the conflist says, /run/podswitch/podswitchd.sock)
              --plugin-dir DIR      the plugin's jar, AOT cache and install record (default /var/lib/podswitch/cni)
              --java-home DIR       the JDK 25+ the plugin runs on (default: the one running this command)
              --copy-java           copy that JDK to --plugin-dir/java and run the plugin from the copy
                                    (an init container installing onto a host without a JDK)
              --plugin-jar FILE     the plugin jar to install (default: the jar this command runs from)
              --no-aot-cache        do not make the AOT cache (the plugin then starts slower)
              --uninstall           remove what install-cni installed, and nothing else
            exit: 0 done, 1 failed, 2 invalid conflist, 64 usage""";

    /** Thrown for a malformed command line; the message says what is wrong. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static InstallOptions parse(String[] args, Path defaultJavaHome, Path defaultPluginJar) throws UsageException {
        Path binDir = DEFAULT_BIN_DIR;
        Path confDir = DEFAULT_CONF_DIR;
        Path conflist = null;
        String conflistName = DEFAULT_CONFLIST_NAME;
        String socket = null;
        Path pluginDir = DEFAULT_PLUGIN_DIR;
        Path javaHome = defaultJavaHome;
        boolean copyJava = false;
        Path pluginJar = defaultPluginJar;
        boolean aot = true;
        boolean uninstall = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--cni-bin-dir" -> binDir = absolute(a, value(args, ++i, a));
                case "--cni-conf-dir" -> confDir = absolute(a, value(args, ++i, a));
                case "--conflist" -> conflist = Path.of(value(args, ++i, a));
                case "--conflist-name" -> conflistName = conflistName(value(args, ++i, a));
                case "--socket" -> socket = absolute(a, value(args, ++i, a)).toString();
                case "--plugin-dir" -> pluginDir = absolute(a, value(args, ++i, a));
                case "--java-home" -> javaHome = absolute(a, value(args, ++i, a));
                case "--copy-java" -> copyJava = true;
                case "--plugin-jar" -> pluginJar = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--no-aot-cache" -> aot = false;
                case "--uninstall" -> uninstall = true;
                default -> throw new UsageException("unknown option '" + a + "'");
            }
        }
        if (pluginJar == null && !uninstall) {
            throw new UsageException("not running from the podswitch-cni jar: name the plugin jar with --plugin-jar");
        }
        return new InstallOptions(binDir, confDir, conflist, conflistName, socket, pluginDir, javaHome, copyJava,
                pluginJar, aot, uninstall);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length || args[i].isEmpty()) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    /** Paths end up in a launcher and in AOT-cache records: they must not depend on the working directory. */
    private static Path absolute(String option, String value) throws UsageException {
        Path p = Path.of(value);
        if (!p.isAbsolute()) {
            throw new UsageException(option + " must be an absolute path, got '" + value + "'");
        }
        return p.normalize();
    }

    private static String conflistName(String name) throws UsageException {
        if (name.contains("/") || name.startsWith(".") || !name.endsWith(".conflist")) {
            throw new UsageException("--conflist-name '" + name + "' must be a plain file name ending in .conflist "
                    + "(runtimes read other names as single-plugin configs, or not at all)");
        }
        return name;
    }
}
