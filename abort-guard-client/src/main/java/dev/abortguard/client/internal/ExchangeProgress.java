package dev.abortguard.client.internal;

import java.io.IOException;
import java.time.Duration;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * What one attempt did on the wire, recorded as it happens. One instance per attempt, stored in
 * the attempt's {@link HttpContext} so that the phase-recording request executor (which sees the
 * connection but not the policy) can find it.
 *
 * <p>Written only through the {@code mark...} methods, by the hooks that see each event (the exec
 * chain, the request executor, the connection, the response entity, the deadline timer, the
 * response checks); read only as a {@link WireEvidence} snapshot. Fields are volatile: the
 * deadline timer and the request thread write them concurrently. The boolean flags only ever go
 * from false to true; "sent" is never taken back.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class ExchangeProgress implements ReadFailureSink {

    public static final String ATTRIBUTE = "dev.abortguard.client.ExchangeProgress";

    private volatile boolean chainEntered;
    private volatile boolean connectionReady;
    private volatile boolean observed;
    private volatile boolean requestHeadSubmitted;
    private volatile int responseStatus;
    private volatile IOException bodyFailure;
    private volatile boolean deadlineFired;
    private volatile int refusedOverloadAnswer;
    private volatile boolean requestBodyCutShort;
    private volatile Duration refusedRetryAfter;
    private volatile boolean refusedForBudget;

    /** No overload answer went unhonoured. */
    public static final int OVERLOAD_NONE = 0;
    /** A {@code Retry-After} answer was returned to the caller. */
    public static final int OVERLOAD_RETRY_AFTER = 1;
    /** A not-applied answer was returned to the caller. */
    public static final int OVERLOAD_NOT_APPLIED = 2;

    public static ExchangeProgress from(HttpContext context) {
        Object value = context == null ? null : context.getAttribute(ATTRIBUTE);
        return value instanceof ExchangeProgress ? (ExchangeProgress) value : null;
    }

    /** The exchange entered the exec chain of an instrumented client. */
    public void markChainEntered() {
        chainEntered = true;
    }

    /** A connected endpoint was handed to the transport (the exec step right after CONNECT ran). */
    public void markConnectionReady() {
        connectionReady = true;
    }

    /**
     * The phase-recording request executor is executing this exchange: from now on the head flag
     * below is reliable. Set by the executor itself, so that a client whose executor was replaced
     * after {@link TimeoutRecoveryPolicy#instrument} never claims wire evidence it does not have.
     */
    public void markObserved() {
        observed = true;
    }

    /**
     * The caller canceled the request before this attempt was sent: nothing of it reached the wire,
     * which the classification must know so that the failure is not taken for an unknown outcome.
     */
    public void markCanceledBeforeSending() {
        observed = true;
    }

    /**
     * The request head is being handed to the connection. Set before the write, so that a failure
     * during the write itself counts as "may have been sent". A new head (a redirect, an
     * authentication round, an internal retry of the wrapped client) starts a new hop, so the
     * response of the previous hop no longer describes where the exchange is.
     */
    public void markRequestHeadSubmitted() {
        requestHeadSubmitted = true;
        responseStatus = 0;
    }

    public void markResponseHead(int status) {
        responseStatus = status;
    }

    public void markBodyFailure(IOException failure) {
        if (bodyFailure == null) {
            bodyFailure = failure;
        }
    }

    @Override
    public void readFailed(IOException failure) {
        markBodyFailure(failure);
    }

    /**
     * The answer was an overload answer ({@code Retry-After}, not applied) that the attempt could
     * not retry: no attempts left, a body that cannot be sent again, or ({@code forBudget}) the
     * route's spent retry budget. The caller receives it; the listeners hear of it.
     */
    public void markUnhonouredOverloadAnswer(int kind, Duration retryAfter, boolean forBudget) {
        refusedRetryAfter = retryAfter;
        refusedForBudget = forBudget;
        refusedOverloadAnswer = kind;
    }

    /** {@link #OVERLOAD_NONE}, {@link #OVERLOAD_RETRY_AFTER} or {@link #OVERLOAD_NOT_APPLIED}. */
    public int unhonouredOverloadAnswer() {
        return refusedOverloadAnswer;
    }

    /** The delay of an unhonoured {@code Retry-After} answer, or {@code null}. */
    public Duration unhonouredRetryAfter() {
        return refusedRetryAfter;
    }

    /** Whether the overload answer went unhonoured because the route's retry budget was spent. */
    public boolean unhonouredForBudget() {
        return refusedForBudget;
    }

    /**
     * The connection stopped writing the request body because the server answered first
     * (HttpCore's response-out-of-order detection): the server cannot have read the whole request.
     */
    public void markRequestBodyCutShort() {
        requestBodyCutShort = true;
    }

    public boolean requestBodyCutShort() {
        return requestBodyCutShort;
    }

    public void markDeadlineFired() {
        deadlineFired = true;
    }

    /**
     * What the wire says now, as one consistent value: the deadline timer may still be writing, so
     * every decision about an attempt is taken on one snapshot rather than on separate reads.
     */
    public WireEvidence evidence() {
        return new WireEvidence(chainEntered, connectionReady, observed, requestHeadSubmitted, responseStatus,
                bodyFailure != null, deadlineFired);
    }

    @Override
    public String toString() {
        return "ExchangeProgress{entered=" + chainEntered + ", connected=" + connectionReady + ", observed=" + observed
                + ", headSubmitted=" + requestHeadSubmitted
                + ", status=" + responseStatus + ", bodyFailure=" + (bodyFailure != null)
                + ", deadline=" + deadlineFired + "}";
    }
}
