package dev.abortguard.server;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.abortguard.server.internal.IdentityMemory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the filter knows about one request: when it started, what was written, when I/O last
 * succeeded, and whether its abort was already reported. Shared by the request thread and any
 * application thread that writes the response (AsyncContext, SSE).
 *
 * <p>The write-path fields are plain: the Servlet specification forbids concurrent writes to one
 * response, so writers are serialised by the application, and a hand-over to another thread
 * ({@code AsyncContext.start}, an executor) already orders them. A reader on another thread (the
 * container's {@code onError}) may see a slightly stale byte count in a log line, nothing worse.
 */
final class ExchangeState {

    static final String ATTRIBUTE = ExchangeState.class.getName();


    final HttpServletRequest request;
    final HttpServletResponse response;
    final String method;
    final String path;
    final long startNanos;

    private long lastIoNanos;
    private long bytesWritten;
    private long unflushedBytes;
    private int bufferSize;
    private long declaredLength = -1;
    private volatile boolean completed;
    private volatile boolean outputClosedByApplication;
    private volatile boolean bodyTakenOver;
    private final AtomicBoolean reported = new AtomicBoolean();
    /** The failures our wrappers saw (identity): what a rethrow of the same abort is recognised by. */
    private final IdentityMemory failures = new IdentityMemory(8, 8);
    /** The real errors that left the filter chain (so a later onError is not an abort). */
    private final IdentityMemory escapedRealErrors = new IdentityMemory(1, 1);

    ExchangeState(HttpServletRequest request, HttpServletResponse response) {
        this.request = request;
        this.response = response;
        this.method = request.getMethod();
        this.path = withoutPathParameters(request.getRequestURI());
        this.startNanos = System.nanoTime();
        this.lastIoNanos = startNanos;
    }

    /**
     * The request URI without path parameters: Tomcat keeps {@code ;jsessionid=...} in {@code
     * getRequestURI()}, and a session id must not end up in an INFO line.
     */
    static String withoutPathParameters(String uri) {
        if (uri == null || uri.indexOf(';') < 0) {
            return uri;
        }
        StringBuilder out = new StringBuilder(uri.length());
        boolean inParameter = false;
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == ';') {
                inParameter = true;
            } else if (c == '/') {
                inParameter = false;
            }
            if (!inParameter) {
                out.append(c);
            }
        }
        return out.toString();
    }

    static ExchangeState of(ServletRequest request) {
        Object state = request.getAttribute(ATTRIBUTE);
        return state instanceof ExchangeState ? (ExchangeState) state : null;
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

    /** The container discarded its buffer (resetBuffer): bytes written so far were never sent. */
    void bufferDiscarded() {
        bytesWritten = 0;
    }

    /** The container discarded buffer and headers (reset): no Content-Length is declared any more. */
    void responseReset() {
        bytesWritten = 0;
        declaredLength = -1;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    long lastIoNanos() {
        return lastIoNanos;
    }

    void markCompleted() {
        completed = true;
    }

    boolean completed() {
        return completed;
    }

    void markOutputClosedByApplication() {
        outputClosedByApplication = true;
    }

    boolean outputClosedByApplication() {
        return outputClosedByApplication;
    }

    /** After sendError/sendRedirect the container writes (or closes) the body, not the application. */
    void markBodyTakenOver() {
        bodyTakenOver = true;
    }

    boolean bodyTakenOver() {
        return bodyTakenOver;
    }

    /** Returns {@code true} exactly once per request: the caller reports the abort. */
    boolean claimReport() {
        return reported.compareAndSet(false, true);
    }

    boolean aborted() {
        return reported.get();
    }

    void rememberFailure(Throwable failure) {
        failures.remember(failure);
    }

    void rememberEscapedRealError(Throwable t) {
        escapedRealErrors.remember(t);
    }

    boolean isEscapedRealError(Throwable t) {
        return escapedRealErrors.holdsAnyOf(t);
    }

    /** The failures this request's wrappers saw, by identity. */
    IdentityMemory failures() {
        return failures;
    }

    /**
     * Whether an I/O failure now still means the client is gone. After the application closed the
     * stream, or after the exchange completed normally, a failing write is an application bug
     * (Jetty answers both with {@code EofException("Closed")}); after the exchange ended because
     * the connection failed, it is the same abort again.
     */
    boolean failureMeansAbort() {
        if (outputClosedByApplication || declaredLengthReached()) {
            return false;
        }
        return !completed || reported.get();
    }

    /**
     * {@link #failureMeansAbort()} for a write of {@code length} bytes. A write that would go past
     * the {@code Content-Length} the application declared is its own bug, and containers fail it
     * for that reason alone (Jetty 12: {@code IOException("written 8 > 3 content-length")}), with
     * the client still connected.
     */
    boolean writeFailureMeansAbort(int length) {
        long declared = declaredLength;
        if (declared >= 0 && bytesWritten + length > declared) {
            return false;
        }
        return failureMeansAbort();
    }

    /**
     * {@link #failureMeansAbort()} for closing the body. A body shorter than the {@code
     * Content-Length} the application declared is its own bug, and Jetty 12 fails the close for
     * that reason alone ({@code IOException("written 10 < 100 content-length")}). A client abort
     * hidden behind the same close goes unreported: false negatives are the lesser evil.
     */
    boolean closeFailureMeansAbort() {
        long declared = declaredLength;
        if (declared >= 0 && bytesWritten < declared) {
            return false;
        }
        return failureMeansAbort();
    }
}
