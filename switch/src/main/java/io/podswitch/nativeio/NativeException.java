package io.podswitch.nativeio;

/**
 * A failed system call, named the way an operator needs it: the call, the object it acted on, the
 * errno's symbolic name and a hint, e.g. {@code TUNSETIFF on 'tap3f2a': EPERM (Operation not
 * permitted) — CAP_NET_ADMIN needed}.
 */
public final class NativeException extends RuntimeException {
    private final String call;
    private final int errno;

    public NativeException(String call, String object, int errno, String hint) {
        super(call + (object == null ? "" : " on '" + object + "'") + ": " + Errno.name(errno)
                + " (" + Errno.describe(errno) + ")" + (hint == null ? "" : " — " + hint));
        this.call = call;
        this.errno = errno;
    }

    public static NativeException of(String call, String object, int errno) {
        return new NativeException(call, object, errno, Errno.hint(errno));
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
