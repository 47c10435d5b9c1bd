package io.podswitch.nativeio;

/** Linux x86-64 errno values the switch meets, with their symbolic names and operator hints. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENOTSUP = 95;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EMSGSIZE = 90;
    public static final int EPROTONOSUPPORT = 93;
    public static final int ENAMETOOLONG = 36;
    public static final int ENETUNREACH = 101;
    public static final int EHOSTUNREACH = 113;
    public static final int ENOTSOCK = 88;
    public static final int EOVERFLOW = 75;
    public static final int ENOPROTOOPT = 92;
    /** io_uring: a wait with a timeout ended without completions. */
    public static final int ETIME = 62;
    /** io_uring: the request was cancelled. */
    public static final int ECANCELED = 125;

    private Errno() {
    }

    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case ENXIO -> "ENXIO";
            case E2BIG -> "E2BIG";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case ENOTDIR -> "ENOTDIR";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case ENOTTY -> "ENOTTY";
            case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE";
            case ENOSYS -> "ENOSYS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENETDOWN -> "ENETDOWN";
            case ENOBUFS -> "ENOBUFS";
            case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED";
            case EMSGSIZE -> "EMSGSIZE";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case ENETUNREACH -> "ENETUNREACH";
            case EHOSTUNREACH -> "EHOSTUNREACH";
            case ENOTSOCK -> "ENOTSOCK";
            case EOVERFLOW -> "EOVERFLOW";
            case ENOPROTOOPT -> "ENOPROTOOPT";
            case ETIME -> "ETIME";
            case ECANCELED -> "ECANCELED";
            default -> "errno " + errno;
        };
    }

    public static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case EAGAIN -> "Resource temporarily unavailable";
            case ENOMEM -> "Cannot allocate memory";
            case EACCES -> "Permission denied";
            case EBUSY -> "Device or resource busy";
            case EEXIST -> "File exists";
            case ENODEV -> "No such device";
            case EINVAL -> "Invalid argument";
            case ENOTSUP -> "Operation not supported";
            case ENOBUFS -> "No buffer space available";
            case ETIMEDOUT -> "Connection timed out";
            case ECONNREFUSED -> "Connection refused";
            case ESRCH -> "No such process";
            case EBADF -> "Bad file descriptor";
            case EINTR -> "Interrupted system call";
            case EIO -> "Input/output error";
            case ENOTTY -> "Inappropriate ioctl for device";
            case ENAMETOOLONG -> "File name too long";
            case ENETUNREACH -> "Network is unreachable";
            case EHOSTUNREACH -> "No route to host";
            case EADDRNOTAVAIL -> "Cannot assign requested address";
            case EADDRINUSE -> "Address already in use";
            case EAFNOSUPPORT -> "Address family not supported by protocol";
            case EMSGSIZE -> "Message too long";
            case ERANGE -> "Numerical result out of range";
            case EMFILE -> "Too many open files";
            case ENOSPC -> "No space left on device";
            case EOVERFLOW -> "Value too large for defined data type";
            case ENOPROTOOPT -> "Protocol not available";
            case ETIME -> "Timer expired";
            case ECANCELED -> "Operation canceled";
            default -> "see errno(3)";
        };
    }

    /** What an operator should do about it, where there is a usual answer. */
    public static String hint(int errno) {
        return switch (errno) {
            case EPERM, EACCES -> "run as root or grant CAP_NET_ADMIN (and CAP_IPC_LOCK, CAP_BPF, CAP_SYS_ADMIN for AF_XDP)";
            case ENOMEM -> "locked memory exhausted? needs CAP_IPC_LOCK or a higher 'ulimit -l'";
            case ENODEV -> "no such interface";
            case EBUSY -> "already in use (another XDP program or process?)";
            case EEXIST -> "the object already exists";
            case ESRCH -> "no such object (route or neighbour not present)";
            case ENETUNREACH -> "gateway not reachable from this device: add a connected route or use onlink";
            case EIO -> "on a TAP or socket: the interface is down";
            case EMFILE, ENFILE -> "out of file descriptors: raise 'ulimit -n'";
            default -> null;
        };
    }
}
