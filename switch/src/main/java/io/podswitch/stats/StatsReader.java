package io.podswitch.stats;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.podswitch.stats.StatsFileLayout.*;

/**
 * Reads a stats file, possibly written by another process (layout in {@link StatsFileLayout}): maps
 * it read-only, checks the header, and lists the allocated counters with their current values.
 */
public final class StatsReader implements AutoCloseable {
    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersReader counters;
    private boolean closed;

    private StatsReader(Path path, MappedByteBuffer mapped, int metadataLength, int valuesLength) {
        this.path = path;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        this.counters = new CountersReader(new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
                new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength), StandardCharsets.UTF_8);
    }

    /** @throws StatsFileException saying precisely why the file cannot be read */
    public static StatsReader open(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_LENGTH) {
                throw new StatsFileException("stats file " + path + " is too short (" + size + " bytes) to be a podswitch stats file");
            }
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            try {
                int magic = header.getInt(MAGIC_OFFSET);
                if (magic != MAGIC) {
                    throw new StatsFileException("file " + path + " is not a podswitch stats file (magic 0x"
                            + Integer.toHexString(magic) + ")");
                }
                int version = header.getIntVolatile(VERSION_OFFSET);
                if (version == 0) {
                    throw new StatsFileException("stats file " + path + " is still being created; try again");
                }
                if (version != VERSION) {
                    throw new StatsFileException("stats file " + path + " has version " + version
                            + "; this reader understands version " + VERSION);
                }
                int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
                int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
                if (metadataLength < 0 || valuesLength < 0
                        || (long) HEADER_LENGTH + metadataLength + valuesLength > size
                        || (long) valuesLength * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH) > metadataLength) {
                    throw new StatsFileException("stats file " + path + " is truncated or corrupt (metadata "
                            + metadataLength + " + values " + valuesLength + " bytes, file " + size + " bytes)");
                }
                return new StatsReader(path, mapped, metadataLength, valuesLength);
            } catch (StatsFileException e) {
                IoUtil.unmap(mapped);
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new StatsFileException("no stats file at " + path + " — is podswitchd running? (--file names another)");
        } catch (IOException e) {
            throw new StatsFileException("cannot read stats file " + path + ": " + e.getMessage());
        }
    }

    public Path path() {
        return path;
    }

    public long pid() {
        return header.getLong(PID_OFFSET);
    }

    public long startTimeMs() {
        return header.getLong(START_TIME_OFFSET);
    }

    public long heartbeatMs() {
        return header.getLongVolatile(HEARTBEAT_OFFSET);
    }

    /** Whether the writing process is still alive (only meaningful in the same PID namespace). */
    public boolean writerAlive() {
        return ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * True when the writer has not published for more than {@code maxAgeMs}. Judged by the heartbeat
     * alone: the pid may belong to another PID namespace (a reader in a sidecar container), so
     * {@link #writerAlive()} only serves to explain a stale file.
     */
    public boolean isStale(long nowMs, long maxAgeMs) {
        return nowMs - heartbeatMs() > maxAgeMs;
    }

    /** True when the file at the path is no longer the one mapped (the writer restarted or removed it). */
    public boolean replaced() {
        try {
            if (!Files.exists(path)) {
                return true;
            }
            try (StatsReader fresh = open(path)) {
                return fresh.pid() != pid() || fresh.startTimeMs() != startTimeMs();
            }
        } catch (StatsFileException e) {
            return true;
        }
    }

    /** Every allocated counter, by label, in counter-id order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> values = new LinkedHashMap<>();
        counters.forEach((value, counterId, label) -> values.put(label, value));
        return values;
    }

    /** Calls {@code consumer} with each allocated counter. */
    public void forEach(CountersReader.CounterConsumer consumer) {
        counters.forEach(consumer);
    }

    /** Unmaps the file. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }
}
