package io.podswitch.api.http;

/**
 * Bounds on one HTTP message, so a client cannot make the server buffer without limit.
 *
 * @param maxHeadBytes   request/status line plus all header lines, including the empty line
 * @param maxHeaderCount number of header lines
 * @param maxBodyBytes   Content-Length accepted
 */
public record HttpLimits(int maxHeadBytes, int maxHeaderCount, int maxBodyBytes) {
    /** 8 KiB of head, 64 headers, 1 MiB of body: ample for CNI bodies (a few KiB). */
    public static final HttpLimits DEFAULT = new HttpLimits(8192, 64, 1 << 20);

    public HttpLimits {
        if (maxHeadBytes < 16 || maxHeaderCount < 1 || maxBodyBytes < 0) {
            throw new IllegalArgumentException("implausible HTTP limits");
        }
    }
}
