package dev.abortguard.client;

/**
 * How far an exchange got before it failed, which decides what may safely happen next.
 *
 * <p>The phase is decided by what happened on the wire (was the request head handed to the
 * connection? was a response head received?), not only by the exception class: HttpClient 5 no
 * longer reports whether a request was sent, and {@code ConnectTimeoutException} extends {@code
 * SocketTimeoutException}, so the class alone cannot tell a connect timeout from a read timeout
 * without care. When the policy cannot observe the wire (a client built without {@link
 * TimeoutRecoveryPolicy#instrument}), it falls back to exception classes and picks {@link
 * #OUTCOME_UNKNOWN} whenever {@link #NEVER_SENT} is not provable.
 */
public enum FailurePhase {
    /**
     * Nothing of the request reached the server: pool lease timeout, connect timeout, connection
     * refused, unknown host, or a deadline that fired before the request head was written; or an
     * HTTP/2 stream the server reset with {@code REFUSED_STREAM}, which RFC 9113 says was not
     * processed ({@link NotAppliedAnswer#refusedStream()}). Retrying is safe for any method.
     */
    NEVER_SENT,

    /**
     * The request was (or may have been) written but no complete response head arrived: a read
     * timeout before the status line, a connection reset, {@code NoHttpResponseException}, or the
     * policy's own exchange deadline. The server may or may not have acted; this is the case the
     * policy exists for.
     */
    OUTCOME_UNKNOWN,

    /**
     * A response head was received and the failure came later with a status that is not 2xx, or
     * from the caller's own response handler. The status is known; the failure reaches the caller
     * unchanged and no recovery runs.
     */
    RESPONSE_RECEIVED,

    /**
     * A 2xx response head was received and reading its body failed (a stall mid-body past the
     * response timeout, a reset, or the exchange deadline). The status says the server acted; the
     * body, which may carry the result the caller needs, is lost. It goes through recovery like an
     * unknown outcome, so that a {@link StatusCheck} can hand over the result; in {@link
     * RecoveryMode#REPORT_ONLY} it ends as {@link RecoveryOutcome#COMPLETED_WITHOUT_RESPONSE}.
     */
    RESPONSE_BODY_LOST;

    /**
     * Whether this phase leaves something to recover.
     *
     * @return true for {@link #OUTCOME_UNKNOWN} and {@link #RESPONSE_BODY_LOST}
     */
    public boolean needsRecovery() {
        return this == OUTCOME_UNKNOWN || this == RESPONSE_BODY_LOST;
    }
}
