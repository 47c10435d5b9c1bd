package io.podswitch.port.ring;

/**
 * Something that submits requests to a {@link ThreadRing} and receives their completions: a TAP
 * queue's armed read, a thread's batch of TAP writes. {@link ThreadRing#register} gives it an id;
 * its requests carry {@link ThreadRing#userData}{@code (id, index)} and every completion of them comes
 * back through {@link #complete}, on the ring's thread, in whatever order the kernel posts them.
 */
public abstract class RingClient {
    /**
     * One completion. Must not submit (the ring is in the middle of reading its completions) and
     * must not allocate.
     * @param index  the index the request was submitted with
     * @param result the request's result: bytes, or -errno
     * @param flags  the completion's flags ({@link io.podswitch.nativeio.IoUring#CQE_F_MORE}, buffer id)
     */
    protected abstract void complete(int index, int result, int flags);
}
