package dev.abortguard.server.internal;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The write accounting of one response: bytes written, the {@code Content-Length} the
 * application declared, and when I/O last succeeded (the "silence" of the log line). Every body
 * byte the application writes passes through here ({@link TrackingOutputStream}), which makes it
 * the seam for anything else that must follow the body as it is written.
 *
 * <p>Plain fields: the Servlet specification forbids concurrent writes to one response, so writers
 * are serialised by the application, and a hand-over to another thread ({@code AsyncContext.start},
 * an executor) already orders them. A reader on another thread (the container's {@code onError})
 * may see a slightly stale byte count in a log line, nothing worse.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class BodyAccounting {

    private final HttpServletResponse response;
    private long lastIoNanos;
    private long bytesWritten;
    private long unflushedBytes;
    private int bufferSize;
    private long declaredLength = -1;

    BodyAccounting(HttpServletResponse response, long startNanos) {
        this.response = response;
        this.lastIoNanos = startNanos;
    }

    /**
     * Counts the bytes and decides whether the client could have seen them: bytes that only reached
     * the container's buffer do not end the silence; once more than a buffer's worth was written
     * since the last flush on a committed response, some of it certainly went to the socket.
     */
    void wrote(int bytes) {
        bytesWritten += bytes;
        long pending = unflushedBytes + bytes;
        if (pending >= bufferSize() && response.isCommitted()) {
            lastIoNanos = System.nanoTime();
            pending = 0;
        }
        unflushedBytes = pending;
    }

    private int bufferSize() {
        int size = bufferSize;
        if (size == 0) {
            try {
                size = Math.max(1, response.getBufferSize());
            } catch (RuntimeException e) {
                size = 8192;
            }
            bufferSize = size;
        }
        return size;
    }

    void flushed() {
        unflushedBytes = 0;
        lastIoNanos = System.nanoTime();
    }

    void ioSucceeded() {
        lastIoNanos = System.nanoTime();
    }

    void declareLength(long length) {
        declaredLength = length;
    }

    /** The container discarded its buffer (resetBuffer): bytes written so far were never sent. */
    void bufferDiscarded() {
        bytesWritten = 0;
    }

    /** The container discarded buffer and headers (reset): no Content-Length is declared any more. */
    void responseReset() {
        bytesWritten = 0;
        declaredLength = -1;
    }

    /**
     * Whether the application already wrote the whole {@code Content-Length} it declared: the
     * container then closes the stream, and a further write failing is the application's bug
     * (writing past its own length), not the client's doing.
     */
    boolean declaredLengthReached() {
        long declared = declaredLength;
        return declared >= 0 && bytesWritten >= declared;
    }

    /** Whether a write of {@code length} bytes makes the body exactly as long as declared. */
    boolean writeCompletesDeclaredLength(int length) {
        long declared = declaredLength;
        return declared >= 0 && length > 0 && bytesWritten < declared && bytesWritten + length == declared;
    }

    /** Whether exactly the declared {@code Content-Length} was written: the body is complete. */
    boolean declaredLengthExactlyWritten() {
        long declared = declaredLength;
        return declared >= 0 && bytesWritten == declared;
    }

    /** Whether the application declared a {@code Content-Length}. */
    boolean lengthDeclared() {
        return declaredLength >= 0;
    }

    /** The declared {@code Content-Length}, or {@code -1}. */
    long declaredLength() {
        return declaredLength;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    long lastIoNanos() {
        return lastIoNanos;
    }
}
