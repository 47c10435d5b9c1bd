package io.podswitch.cni.install;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code podswitch install-cni} on a node's directories in a temp dir (no root needed): what it
 * writes, that a second run changes nothing (containerd reloads on any change in the conf dir),
 * that files of other CNIs are never touched, what it says about file-name ordering, and that
 * {@code --uninstall} removes exactly its own files.
 */
class InstallCniTest {
    static final String PODMAN_BRIDGE = "{\"cniVersion\":\"0.4.0\",\"name\":\"podman\",\"plugins\":[{\"type\":\"bridge\"}]}\n";

    @TempDir
    Path tmp;

    @Test
    void installsTrainsTheAotCacheAndVerifiesThenChangesNothingTheSecondTime() throws Exception {
        InstallFixture f = new InstallFixture(tmp);
        Path other = write(f.confDir.resolve("87-podman-bridge.conflist"), PODMAN_BRIDGE);
        FileTime otherTime = Files.getLastModifiedTime(other);

        InstallFixture.Run first = f.install();
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.out().contains("trained and verified"), first.toString());
        Path launcher = f.binDir.resolve("podswitch-cni");
        Path conflist = f.confDir.resolve("10-podswitch.conflist");
        Path cache = f.pluginDir.resolve("podswitch-cni.aot");
        assertTrue(Files.isExecutable(launcher));
        assertTrue(Files.size(cache) > 1_000_000, "a real AOT cache holds megabytes of classes");
        assertArrayEquals(Files.readAllBytes(Path.of("conf/10-podswitch.conflist")), Files.readAllBytes(conflist),
                "the shipped conflist is installed byte for byte");
        String script = Files.readString(launcher);
        assertTrue(script.startsWith("#!/bin/sh\n"), script);
        assertTrue(script.contains("-XX:AOTCache=" + cache), script);
        assertTrue(script.contains("-cp " + f.pluginDir.resolve("podswitch-cni.jar")), script);

        // The launcher as a runtime runs it: the result alone on stdout, nothing on stderr (the cache is accepted).
        ChildProcess version = ChildProcess.run(List.of(launcher.toString()), Map.of("CNI_COMMAND", "VERSION"),
                "{\"cniVersion\":\"1.0.0\"}", 60);
        assertEquals(0, version.exit(), version.output());
        assertEquals("", version.stderr());
        JsonObject answer = (JsonObject) JsonParser.parse(version.stdout());
        assertEquals(new JsonString("1.0.0"), answer.get("cniVersion"));

        FileTime launcherTime = Files.getLastModifiedTime(launcher);
        FileTime conflistTime = Files.getLastModifiedTime(conflist);
        FileTime cacheTime = Files.getLastModifiedTime(cache);
        InstallFixture.Run second = f.install();
        assertEquals(0, second.exit(), second.toString());
        for (String what : List.of("jar ", "aot cache ", "launcher ", "conflist ")) {
            assertTrue(second.out().lines().anyMatch(l -> l.contains(what) && l.contains(": unchanged")), what + "\n" + second);
        }
        assertEquals(launcherTime, Files.getLastModifiedTime(launcher));
        assertEquals(conflistTime, Files.getLastModifiedTime(conflist));
        assertEquals(cacheTime, Files.getLastModifiedTime(cache));

        InstallFixture.Run uninstall = f.install("--uninstall");
        assertEquals(0, uninstall.exit(), uninstall.toString());
        assertFalse(Files.exists(launcher));
        assertFalse(Files.exists(conflist));
        assertFalse(Files.exists(f.pluginDir), "the plugin dir is removed when nothing else is in it");
        assertEquals(PODMAN_BRIDGE, Files.readString(other), "another CNI's file is never touched");
        assertEquals(otherTime, Files.getLastModifiedTime(other));
        InstallFixture.Run again = f.install("--uninstall");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("nothing to uninstall"), again.toString());
    }

    @Test
    void saysWhichFileRuntimesPickAndRenamesItsOwnConflist() throws Exception {
        InstallFixture f = new InstallFixture(tmp);
        Path first = write(f.confDir.resolve("05-other.conflist"), PODMAN_BRIDGE.replace("podman", "other"));
        Path clash = write(f.confDir.resolve("20-clash.conflist"), PODMAN_BRIDGE.replace("podman", "podswitch"));

        InstallFixture.Run run = f.install("--no-aot-cache");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("use the first config file by name, 05-other.conflist, not 10-podswitch.conflist"),
                run.toString());
        assertTrue(run.out().contains(clash + " also defines network \"podswitch\""), run.toString());
        assertFalse(Files.readString(f.binDir.resolve("podswitch-cni")).contains("AOTCache"));

        InstallFixture.Run renamed = f.install("--no-aot-cache", "--conflist-name", "00-podswitch.conflist");
        assertEquals(0, renamed.exit(), renamed.toString());
        assertTrue(renamed.out().contains("order: 00-podswitch.conflist is the first of 3"), renamed.toString());
        assertFalse(Files.exists(f.confDir.resolve("10-podswitch.conflist")), "the old name is gone");
        assertTrue(Files.exists(first) && Files.exists(clash));
    }

    @Test
    void setsTheSocketWarnsAbout110AndLeavesAnEditedConflistOnUninstall() throws Exception {
        InstallFixture f = new InstallFixture(tmp);
        Path mine = write(tmp.resolve("mine.conflist"), """
                {"cniVersion": "1.1.0", "name": "pods",
                 "plugins": [{"type": "podswitch-cni", "mtu": 1400}, {"type": "portmap", "capabilities": {"portMappings": true}}]}
                """);
        InstallFixture.Run run = f.install("--no-aot-cache", "--conflist", mine.toString(), "--socket", "/run/psw/d.sock");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("warning: cniVersion 1.1.0: containerd 1.6/1.7, CRI-O up to 1.30 and podman 4"),
                run.toString());
        Path installed = f.confDir.resolve("10-podswitch.conflist");
        JsonObject root = (JsonObject) JsonParser.parse(Files.readString(installed));
        JsonObject plugin = (JsonObject) ((JsonArray) root.get("plugins")).elements().get(0);
        assertEquals(new JsonString("/run/psw/d.sock"), plugin.get("socket"));
        assertTrue(run.out().contains("note: chained plugin \"portmap\" is not in " + f.binDir), run.toString());

        Files.writeString(installed, Files.readString(installed).replace("1400", "1380"));
        InstallFixture.Run uninstall = f.install("--uninstall");
        assertEquals(0, uninstall.exit(), uninstall.toString());
        assertTrue(uninstall.out().contains(installed + ": left in place (changed since install-cni wrote it)"),
                uninstall.toString());
        assertTrue(Files.exists(installed));
        assertFalse(Files.exists(f.binDir.resolve("podswitch-cni")));
    }

    @Test
    void replacesWhateverSitsAtThePluginsNameButRemovesOnlyItsOwnLauncher() throws Exception {
        InstallFixture f = new InstallFixture(tmp);
        Files.createDirectories(f.binDir);
        Path old = f.binDir.resolve("podswitch-cni");
        Files.createSymbolicLink(old, Path.of("/opt/podswitch/bin/podswitch-cni")); // what the old docs said to do
        assertEquals(0, f.install("--no-aot-cache").exit());
        assertFalse(Files.isSymbolicLink(old));
        assertTrue(PluginLauncher.isOurs(Files.readAllBytes(old)));

        write(old, "#!/bin/sh\nexec /usr/local/bin/someone-elses-plugin\n");
        assertEquals(0, f.install("--uninstall").exit());
        assertTrue(Files.exists(old), "a file without install-cni's marker is not removed");
    }

    @Test
    void rejectsBadConflistsBeforeTouchingAnything() throws Exception {
        InstallFixture f = new InstallFixture(tmp);
        Map<String, String> cases = Map.of(
                "{\"cniVersion\": \"1.0.0\",\n \"name\": ", "line 2, column",
                "{\"cniVersion\": \"1.0.0\", \"name\": \"x\", \"plugins\": [{\"type\": \"bridge\"}]}",
                "no plugin of type \"podswitch-cni\"",
                "{\"cniVersion\": \"1.0.0\", \"name\": \"x\", \"plugins\": [{\"type\": \"podswitch-cni\", \"ipam\": {}}]}",
                "plugins[0].ipam: podswitchd allocates the addresses",
                "{\"cniVersion\": \"2.0.0\", \"name\": \"x\", \"plugins\": [{\"type\": \"podswitch-cni\"}]}",
                "cniVersion: \"2.0.0\" is not a version podswitch-cni speaks",
                "{\"cniVersion\": \"1.0.0\", \"name\": \"x\", \"type\": \"podswitch-cni\"}",
                "plugins: a non-empty list",
                "{\"cniVersion\": \"1.0.0\", \"name\": \"-x\", \"plugins\": [{\"type\": \"podswitch-cni\"}]}",
                "name: \"-x\" must start with a letter or digit");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path bad = write(tmp.resolve("bad.conflist"), c.getKey());
            InstallFixture.Run run = f.install("--conflist", bad.toString());
            assertEquals(2, run.exit(), c.getKey() + " → " + run);
            assertTrue(run.err().contains(bad + ": " ) && run.err().contains(c.getValue()), c.getKey() + " → " + run);
        }
        assertFalse(Files.exists(f.pluginDir));
        assertFalse(Files.exists(f.binDir));
        try (var files = Files.list(f.confDir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void usageErrorsExit64() {
        for (String[] args : List.of(new String[] {"--cni-bin-dir", "relative/bin"}, new String[] {"--frobnicate"},
                new String[] {"--conflist-name", "podswitch.json"}, new String[] {"--socket"})) {
            InstallFixture.Run run = runRaw(args);
            assertEquals(64, run.exit(), String.join(" ", args) + " → " + run);
            assertTrue(run.err().startsWith("podswitch install-cni: "), run.toString());
        }
        assertEquals(0, runRaw(new String[] {"--help"}).exit());
    }

    private static InstallFixture.Run runRaw(String[] args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int exit = InstallCni.run(args, new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        return new InstallFixture.Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }
}
