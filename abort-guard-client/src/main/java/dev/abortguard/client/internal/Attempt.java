package dev.abortguard.client.internal;

import java.io.IOException;
import java.time.Duration;

/**
 * One attempt of a logical request, as the {@link LogicalRequest} hands it to the call: its
 * number, what it may do with the answer, the record of what it did on the wire, and its deadline.
 *
 * @param number the attempt number, from 1
 * @param progress what this attempt did on the wire; fresh for every attempt
 * @param retryAfterAllowed whether a 429/503 with an acceptable {@code Retry-After} is to be
 *     retried ({@link AttemptResult.RetryAfterAnswer}) rather than returned
 * @param budgetRefused whether a {@code Retry-After} or not-applied answer would have been
 *     retried but for the route's spent retry budget: it is then returned, and counted as refused
 * @param resend whether an earlier attempt's outcome is unknown, so that an {@linkplain
 *     ResponseChecks#leavesOutcomeUnknown unsettling} status is not the answer
 * @param deadlines the client's exchange deadline
 * @param recovering whether the logical request's recovery timeout is running (an earlier attempt's
 *     outcome was unknown)
 * @param recoveryDeadline when the recovery timeout ends ({@link System#nanoTime()}); only read
 *     while {@code recovering}
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public record Attempt(
        int number,
        ExchangeProgress progress,
        boolean retryAfterAllowed,
        boolean budgetRefused,
        boolean resend,
        ExchangeDeadlines deadlines,
        boolean recovering,
        long recoveryDeadline) {

    /**
     * The longest {@code Retry-After} this attempt may honour: the policy's {@code cap}, or the time
     * left before the recovery timeout when that is less, so that a wait that cannot end before the
     * recovery timeout is not started (the answer is then judged as if it had no {@code Retry-After}).
     * Zero means none.
     */
    public Duration retryAfterCap(Duration cap) {
        if (!recovering) {
            return cap;
        }
        long left = recoveryDeadline - System.nanoTime();
        return left <= 0 ? Duration.ZERO : left < cap.toNanos() ? Duration.ofNanos(left) : cap;
    }

    /** Arms the exchange deadline; {@code cancel} aborts the running exchange when it passes. */
    public DeadlineTimer.Deadline arm(Runnable cancel) {
        return deadlines.arm(progress, cancel);
    }

    /** A transport failure of this attempt, classified by what reached the wire. */
    public <R> AttemptResult<R> failed(IOException failure) {
        return failed(failure, progress.evidence());
    }

    private static <R> AttemptResult<R> failed(IOException failure, WireEvidence wire) {
        return new AttemptResult.Failed<>(
                FailureClassifier.classify(failure, wire),
                failure,
                FailureClassifier.retryable(failure, wire),
                wire.deadlineFired());
    }

    /**
     * An unchecked exception of this attempt: the caller's business unless the wire says it happened
     * in the middle of the exchange (a handler that wrapped a mid-body {@code IOException}, or
     * HttpClient's "Endpoint not acquired / already released" when the deadline's cancel races a
     * connect), in which case it is a transport failure like any other.
     */
    public <R> AttemptResult<R> failed(RuntimeException failure) {
        WireEvidence wire = progress.evidence();
        if (!wire.failedOnTheWire() && !wire.deadlineFired()) {
            return new AttemptResult.Broken<>(failure);
        }
        return failed(new IOException(failure), wire);
    }
}
