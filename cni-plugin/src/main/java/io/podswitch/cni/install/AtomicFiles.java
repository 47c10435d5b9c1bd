package io.podswitch.cni.install;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * Files replaced the way a reader that may look at any moment needs it: the new content goes to a
 * hidden temporary file next to the target, is fsync'd, gets its mode, and is renamed over the
 * target; then the directory is fsync'd. A runtime scanning the CNI directories (containerd watches
 * them) sees the old file or the new one, never a partial one, and never the temporary file: its
 * name starts with '.' and ends in {@code .tmp}, which no runtime loads (libcni reads only
 * {@code .conf}, {@code .conflist} and {@code .json}).
 */
final class AtomicFiles {
    static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private AtomicFiles() {
    }

    /**
     * Writes {@code content} to {@code target} unless it already holds exactly that (with that mode).
     * @return true when the file was written, false when it was already up to date
     */
    static boolean write(Path target, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), content)
                && Files.getPosixFilePermissions(target).equals(mode)) {
            return false;
        }
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = temporarySibling(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, mode);
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }

    /** Copies {@code source} to {@code target} (same rules as {@link #write}). */
    static boolean copy(Path source, Path target, Set<PosixFilePermission> mode) throws IOException {
        return write(target, Files.readAllBytes(source), mode);
    }

    /** Renames {@code source} over {@code target} atomically and makes the rename durable. */
    static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + source + " to " + target + " atomically (different file systems?)", e);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Deletes {@code file} if present, durably. @return whether it existed */
    static boolean delete(Path file) throws IOException {
        if (!Files.deleteIfExists(file)) {
            return false;
        }
        syncDirectory(file.toAbsolutePath().getParent());
        return true;
    }

    /** The hidden temporary name used for {@code target}: {@code .NAME.tmp}. */
    static Path temporarySibling(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".tmp");
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** SHA-256 of a file, hex. */
    static String sha256(Path file) throws IOException {
        return sha256(Files.readAllBytes(file));
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
