package io.podswitch.stats;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.podswitch.stats.StatsFileLayout.*;

/**
 * The writer's side of the memory-mapped stats file (layout in {@link StatsFileLayout}): creates the
 * file, maps it, and offers an Agrona {@link CountersManager} over its buffers. One writer thread
 * (the daemon's control/stats thread). {@link #close()} unmaps and deletes the file, so a file that
 * remains belongs to a running process or to one that crashed (its heartbeat says which).
 */
public final class StatsFile implements AutoCloseable {
    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersManager counters;
    private boolean closed;

    private StatsFile(Path path, MappedByteBuffer mapped, int metadataLength, int valuesLength) {
        this.path = path;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        UnsafeBuffer metadata = new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength);
        UnsafeBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength);
        this.counters = new CountersManager(metadata, values, StandardCharsets.UTF_8);
    }

    /**
     * Creates (replacing any old file) and maps a stats file for up to {@code maxCounters} counters.
     * @throws UncheckedIOException naming the path when the directory or file cannot be made
     */
    public static StatsFile create(Path path, int maxCounters) {
        if (maxCounters < 1 || maxCounters > 1_000_000) {
            throw new IllegalArgumentException("maxCounters must be in [1, 1000000]: " + maxCounters);
        }
        int valuesLength = maxCounters * CountersReader.COUNTER_LENGTH;
        int metadataLength = maxCounters * CountersReader.METADATA_LENGTH;
        long fileLength = (long) HEADER_LENGTH + metadataLength + valuesLength;
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.deleteIfExists(path); // readers that mapped the old file keep it; they see it go stale
            MappedByteBuffer mapped;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                channel.truncate(fileLength);
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength);
            }
            StatsFile file = new StatsFile(path, mapped, metadataLength, valuesLength);
            file.writeHeader(metadataLength, valuesLength);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create stats file " + path + ": " + e.getMessage(), e);
        }
    }

    private void writeHeader(int metadataLength, int valuesLength) {
        long now = System.currentTimeMillis();
        header.putInt(MAGIC_OFFSET, MAGIC);
        header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_TIME_OFFSET, now);
        header.putLong(HEARTBEAT_OFFSET, now);
        header.putIntRelease(VERSION_OFFSET, VERSION); // last: the header is complete
    }

    public Path path() {
        return path;
    }

    /** The counters in the file (writer thread only). */
    public CountersManager counters() {
        return counters;
    }

    /** Marks the file alive at {@code epochMs}; readers judge staleness by it. */
    public void heartbeat(long epochMs) {
        header.putLongRelease(HEARTBEAT_OFFSET, epochMs);
    }

    /** Unmaps and deletes the file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        IoUtil.unmap(mapped);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete stats file " + path + ": " + e.getMessage(), e);
        }
    }
}
