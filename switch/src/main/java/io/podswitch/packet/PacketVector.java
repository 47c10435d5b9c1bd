package io.podswitch.packet;

/**
 * A burst of packets: frame indices handed from a port to a graph node or from node to node, as
 * VPP's vectors. Reused forever; never allocated on the data path.
 */
public final class PacketVector {
    public static final int DEFAULT_CAPACITY = 256;

    private final int[] frames;
    private int size;

    public PacketVector() {
        this(DEFAULT_CAPACITY);
    }

    public PacketVector(int capacity) {
        this.frames = new int[capacity];
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return frames.length;
    }

    public int free() {
        return frames.length - size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean isFull() {
        return size == frames.length;
    }

    public int frame(int i) {
        return frames[i];
    }

    /** Appends a frame; the caller checks {@link #isFull()} first (a full vector is flushed, not grown). */
    public void add(int frame) {
        frames[size++] = frame;
    }

    public void set(int i, int frame) {
        frames[i] = frame;
    }

    /** Keeps the first {@code n} packets (after compaction in place). */
    public void truncate(int n) {
        size = n;
    }

    public void clear() {
        size = 0;
    }

    /** The backing array, for ports that fill it in bulk; valid entries are [0, size). */
    public int[] array() {
        return frames;
    }
}
