package dev.abortguard.server;

import java.time.Duration;
import java.util.Objects;

/**
 * One aborted request, as handed to {@link AbortMetrics} and written to the log line.
 *
 * <p>Immutable. Values that the request did not have are {@code null} (strings) or {@code -1}
 * (numbers) — an abort reported through {@link ClientAbortHandler#handle(Throwable)} without a
 * request knows only its throwable.
 */
public final class ClientAbortEvent {

    private final AbortKind kind;
    private final String method;
    private final String path;
    private final String route;
    private final int status;
    private final long bytesWritten;
    private final long elapsedNanos;
    private final long silenceNanos;
    private final String requestId;
    private final String idempotencyKey;
    private final Throwable cause;

    ClientAbortEvent(AbortKind kind, String method, String path, String route, int status,
                     long bytesWritten, long elapsedNanos, long silenceNanos, String requestId,
                     String idempotencyKey, Throwable cause) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.method = method;
        this.path = path;
        this.route = route;
        this.status = status;
        this.bytesWritten = bytesWritten;
        this.elapsedNanos = elapsedNanos;
        this.silenceNanos = silenceNanos;
        this.requestId = requestId;
        this.idempotencyKey = idempotencyKey;
        this.cause = cause;
    }

    /**
     * Where the abort was noticed.
     *
     * @return the abort kind; never {@code null}
     */
    public AbortKind kind() {
        return kind;
    }

    /**
     * HTTP method, or {@code null} when unknown.
     *
     * @return the HTTP method, or {@code null}
     */
    public String method() {
        return method;
    }

    /**
     * Request URI path without the query string (it may carry secrets), or {@code null}. Raw and
     * unbounded: fine for a log line, never a metric tag — use {@link #route()}.
     *
     * @return the request path, or {@code null}
     */
    public String path() {
        return path;
    }

    /**
     * Route template ({@code /orders/{id}}) when a framework exposed one as a request attribute,
     * else the servlet mapping pattern ({@code /api/*}), else {@code null}. Bounded cardinality.
     *
     * @return the route template or servlet mapping pattern, or {@code null}
     */
    public String route() {
        return route;
    }

    /**
     * Response status at the time of the abort, or {@code -1}.
     *
     * @return the response status, or {@code -1}
     */
    public int status() {
        return status;
    }

    /**
     * Response body bytes that the application handed to the container before the abort, or {@code -1}.
     *
     * @return the number of response body bytes written, or {@code -1}
     */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Time from the start of the request to the abort, or {@code null}.
     *
     * @return the time from request start to abort, or {@code null}
     */
    public Duration elapsed() {
        return elapsedNanos < 0 ? null : Duration.ofNanos(elapsedNanos);
    }

    /**
     * Time from the response's last observed progress — a flush that did not fail, a write past the
     * container's buffer on a committed response, a read of the request body — or from the start of
     * the request, to the moment the failure surfaced; {@code null} if unknown.
     *
     * <p>Not the caller's timeout: for a plain response an upper bound of it (the failure surfaces
     * only at the server's next write, so a 300 ms read timeout was measured as 607 ms); for a stream
     * that writes regularly about its write interval; and on Undertow, whose flush into a closed
     * connection can fail without telling the application, possibly near zero. Compare it across
     * requests of one endpoint; do not read it as one caller's setting.
     *
     * @return the silence before the abort, or {@code null} if unknown
     */
    public Duration silenceBeforeAbort() {
        return silenceNanos < 0 ? null : Duration.ofNanos(silenceNanos);
    }

    /**
     * Value of the first configured request-id header present on the request, or {@code null}.
     *
     * @return the request id, or {@code null}
     */
    public String requestId() {
        return requestId;
    }

    /**
     * Value of the idempotency-key header, or {@code null}.
     *
     * @return the idempotency key, or {@code null}
     */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /**
     * The I/O failure that revealed the abort.
     *
     * @return the throwable that revealed the abort
     */
    public Throwable cause() {
        return cause;
    }

    @Override
    public String toString() {
        return "ClientAbortEvent[kind=" + kind.tag() + ", method=" + method + ", path=" + path
                + ", route=" + route + ", status=" + status + ", bytes=" + bytesWritten
                + ", elapsedMs=" + millis(elapsedNanos) + ", silenceMs=" + millis(silenceNanos)
                + ", cause=" + (cause == null ? null : cause.getClass().getName()) + "]";
    }

    static long millis(long nanos) {
        return nanos < 0 ? -1 : nanos / 1_000_000L;
    }
}
