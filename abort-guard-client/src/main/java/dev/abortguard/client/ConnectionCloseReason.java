package dev.abortguard.client;

/**
 * Why a pooled HttpClient 5 connection was closed, as seen by a connection manager built through
 * {@link TimeoutRecoveryPolicy#instrument(org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder)}.
 *
 * <p>Why it matters (the second source document): a host full of sockets in {@code TIME_WAIT} is
 * churn, and churn has a cause. {@code TIME_WAIT} stays on the side that closes a TCP connection
 * first with an orderly close (FIN); a reset (RST, SO_LINGER 0) leaves none. HttpClient 5.6 resets
 * the connections it discards after a response timeout before the head, after a cancel, and after
 * a response it cannot reuse (the server's {@code Connection: close} included), and closes orderly
 * the idle ones it evicts and one whose body failed to read; the listener's {@code reset} flag
 * says which it did each time, so count rather than assume. When the server closes first ({@link
 * #SERVER_CONNECTION_CLOSE}, {@link #SERVER_CLOSED}) the {@code TIME_WAIT}, if any, is the
 * server's.
 *
 * <p>Decided by where the connection was and what it saw, never by message text: the failure the
 * connection's own reads and writes raised (a {@link java.net.SocketTimeoutException}, the end of
 * the stream), the response's {@code Connection} header, the pool's stale check, and whether an
 * exchange was in progress.
 */
public enum ConnectionCloseReason {

    /** The client gave up waiting for the server's bytes (its response timeout) and reset the connection. */
    RESPONSE_TIMEOUT(ClosedBy.CLIENT),
    /**
     * The client discarded the connection after an I/O error other than a timeout or the server's
     * close (a reset by the server shows here too: a reset reads as an error, not as an end).
     */
    ERROR(ClosedBy.CLIENT),
    /**
     * The client closed the connection in the middle of an exchange without an I/O failure on it:
     * the request was cancelled, its exchange deadline passed, or the caller closed the response
     * before reading its body (the server's {@code Connection: close} included: the response was
     * not read whole).
     */
    ABANDONED(ClosedBy.CLIENT),
    /**
     * The whole response was read but the connection could not be kept (for example an HTTP/1.0
     * response without keep-alive, or a request that said {@code Connection: close}).
     */
    NOT_REUSABLE(ClosedBy.CLIENT),
    /**
     * An idle connection the pool closed: idle timeout, time to live or keep-alive expired,
     * {@code closeIdle} / {@code closeExpired}, or the pool closing.
     */
    EVICTED(ClosedBy.CLIENT),
    /** The server's response carried {@code Connection: close}: the server ended the connection. */
    SERVER_CONNECTION_CLOSE(ClosedBy.SERVER),
    /**
     * The server had closed the connection: the pool's stale check found it closed, or a read hit
     * the end of the stream before a complete response ({@code NoHttpResponseException}, a
     * truncated body).
     */
    SERVER_CLOSED(ClosedBy.SERVER);

    /** Which side ended the connection. */
    public enum ClosedBy {
        /** The client decided to close it. */
        CLIENT,
        /** The server closed it or asked for it to be closed. */
        SERVER
    }

    private final ClosedBy closedBy;

    ConnectionCloseReason(ClosedBy closedBy) {
        this.closedBy = closedBy;
    }

    /**
     * Which side ended the connection for this reason.
     *
     * @return the side
     */
    public ClosedBy closedBy() {
        return closedBy;
    }
}
