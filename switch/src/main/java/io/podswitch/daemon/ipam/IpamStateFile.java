package io.podswitch.daemon.ipam;

import io.podswitch.daemon.store.AtomicFile;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The IPAM state on disk, one text file replaced atomically ({@link AtomicFile}): after a crash it
 * is either the old state or the new one, never a mix. Human-readable on purpose (operators read it in incidents):
 *
 * <pre>
 * podswitch-ipam 1
 * last 10.244.1.7                      # per range: the last address handed out (host-local's rule:
 * last fd00:10:244:1::7                #   the next search starts after it, so a freed address is
 * alloc 3f2a9c... eth0 10.244.1.7      #   not reused until the range wraps)
 * alloc 3f2a9c... eth0 fd00:10:244:1::7
 * </pre>
 */
final class IpamStateFile {
    static final String MAGIC = "podswitch-ipam 1";

    /** What the file holds: last address per family (true = IPv4) and allocations in order. */
    record State(Map<Boolean, InetAddress> last, List<Entry> allocations) {
    }

    record Entry(Attachment attachment, InetAddress address) {
    }

    private final Path file;

    IpamStateFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    State read() throws IpamException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new State(new LinkedHashMap<>(), new ArrayList<>());
        } catch (IOException e) {
            throw new IpamException(IpamException.Reason.STORAGE, "cannot read IPAM state " + file + ": " + e.getMessage(), e);
        }
        Map<Boolean, InetAddress> last = new LinkedHashMap<>();
        List<Entry> allocations = new ArrayList<>();
        if (lines.isEmpty() || !lines.getFirst().equals(MAGIC)) {
            throw corrupt(1, "first line must be '" + MAGIC + "'");
        }
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(" +");
            try {
                switch (f[0]) {
                    case "last" -> {
                        expect(f, 2, i);
                        InetAddress a = IpAddresses.parse(f[1]);
                        last.put(a instanceof java.net.Inet4Address, a);
                    }
                    case "alloc" -> {
                        expect(f, 4, i);
                        allocations.add(new Entry(new Attachment(f[1], f[2]), IpAddresses.parse(f[3])));
                    }
                    default -> throw corrupt(i + 1, "unknown record '" + f[0] + "'");
                }
            } catch (IllegalArgumentException e) {
                throw corrupt(i + 1, e.getMessage());
            }
        }
        return new State(last, allocations);
    }

    private void expect(String[] fields, int count, int index) throws IpamException {
        if (fields.length != count) {
            throw corrupt(index + 1, "'" + fields[0] + "' takes " + (count - 1) + " fields, found " + (fields.length - 1));
        }
    }

    private IpamException corrupt(int line, String why) {
        return new IpamException(IpamException.Reason.STORAGE, file + ":" + line + ": corrupt IPAM state: " + why
                + " (fix or move the file; podswitchd will not guess)");
    }

    void write(State state) throws IpamException {
        StringBuilder sb = new StringBuilder(MAGIC).append('\n');
        for (InetAddress a : state.last().values()) {
            sb.append("last ").append(IpAddresses.format(a)).append('\n');
        }
        for (Entry e : state.allocations()) {
            sb.append("alloc ").append(e.attachment().containerId()).append(' ').append(e.attachment().ifName())
                    .append(' ').append(IpAddresses.format(e.address())).append('\n');
        }
        try {
            AtomicFile.write(file, sb.toString());
        } catch (IOException e) {
            throw new IpamException(IpamException.Reason.STORAGE, "cannot write IPAM state " + file + ": " + e.getMessage(), e);
        }
    }
}
