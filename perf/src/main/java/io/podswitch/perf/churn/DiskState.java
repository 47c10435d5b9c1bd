package io.podswitch.perf.churn;

import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.json.NodeReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * What a killed podswitchd left on disk, read right after the SIGKILL: the container ids in its IPAM
 * state ({@code alloc <containerID> <ifName> <address>} lines of ipam.state) and in its pod registry
 * (pods.json). Tells how far an ADD or DEL had got when the daemon died (see {@link CrashPhase}).
 */
record DiskState(Set<String> allocated, Set<String> recorded) {

    static DiskState read(Path stateDir) throws IOException {
        Set<String> allocated = new HashSet<>();
        try {
            for (String line : Files.readAllLines(stateDir.resolve("ipam.state"))) {
                String[] f = line.split(" ");
                if (f.length >= 4 && f[0].equals("alloc")) {
                    allocated.add(f[1]);
                }
            }
        } catch (NoSuchFileException e) {
            // nothing allocated yet
        }
        Set<String> recorded = new HashSet<>();
        try {
            for (NodeReader pod : NodeReader.of(JsonCodec.tree(Files.readAllBytes(stateDir.resolve("pods.json"))), "")
                    .optionalObjectList("pods")) {
                recorded.add(pod.requiredString("containerID"));
            }
        } catch (NoSuchFileException e) {
            // no pod recorded yet
        }
        return new DiskState(allocated, recorded);
    }
}
