package dev.abortguard.client.internal;

import dev.abortguard.client.FailurePhase;
import java.io.IOException;
import java.time.Duration;

/**
 * How one attempt of a logical request ended, as a value: the call returns it, the engine decides
 * on it ({@link RecoveryDecisions}). No ending travels as an exception between them.
 *
 * @param <R> what the caller receives
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public sealed interface AttemptResult<R> {

    /**
     * The phase to report for this ending, or {@code null} for an answer.
     *
     * @return the phase
     */
    FailurePhase phase();

    /**
     * The failure to report for this ending, or {@code null} for an answer: what listeners see as
     * the context's cause and what a {@link TimeoutRecoveryException} carries.
     *
     * @return the failure
     */
    IOException failure();

    /**
     * The attempt produced what the caller receives.
     *
     * @param value the response or the handler's result
     * @param <R> what the caller receives
     */
    record Answered<R>(R value) implements AttemptResult<R> {
        @Override
        public FailurePhase phase() {
            return null;
        }

        @Override
        public IOException failure() {
            return null;
        }
    }

    /**
     * A 429/503 with an acceptable {@code Retry-After}, only when the attempt was allowed to honour
     * one. The server refused without acting: wait and send again.
     *
     * @param status the status
     * @param delay what the server asked for
     * @param response the fully read response, to hand to the caller when the retry cannot happen
     *     (the async adapter's recovery queue is full), or {@code null} when it was released
     * @param <R> what the caller receives
     */
    record RetryAfterAnswer<R>(int status, Duration delay, R response) implements AttemptResult<R> {
        @Override
        public FailurePhase phase() {
            return FailurePhase.RESPONSE_RECEIVED;
        }

        @Override
        public IOException failure() {
            return new IOException("status " + status + " with Retry-After " + delay.toMillis() + "ms");
        }
    }

    /**
     * A reply that proves the request was not processed ({@link dev.abortguard.client.NotAppliedAnswer}),
     * only when the attempt was allowed to send again: a retry under the same key is safe for any
     * method.
     *
     * @param status the status
     * @param proof which proof matched, for the trail
     * @param response the fully read response, to hand to the caller when the retry cannot happen,
     *     or {@code null} when it was released
     * @param <R> what the caller receives
     */
    record NotAppliedReply<R>(int status, String proof, R response) implements AttemptResult<R> {
        @Override
        public FailurePhase phase() {
            return FailurePhase.RESPONSE_RECEIVED;
        }

        @Override
        public IOException failure() {
            return new IOException("status " + status + ", not processed (" + proof + ")");
        }
    }

    /**
     * A failure that proves the request was not processed ({@link
     * dev.abortguard.client.NotAppliedAnswer#refusedStream()}, an HTTP/2 stream reset with {@code
     * REFUSED_STREAM}): as safe to send again as a request that never left, for any method, so its
     * phase is {@link FailurePhase#NEVER_SENT}; it is counted as a not-applied answer.
     *
     * @param failure the failure, what the caller receives when it is not sent again
     * @param proof which proof matched, for the trail
     * @param <R> what the caller receives
     */
    record RefusedUnprocessed<R>(IOException failure, String proof) implements AttemptResult<R> {
        @Override
        public FailurePhase phase() {
            return FailurePhase.NEVER_SENT;
        }
    }

    /**
     * A resend under the same key was answered with a status that {@linkplain
     * ResponseChecks#leavesOutcomeUnknown says nothing} about the earlier attempt; the response was
     * released, and the logical outcome is as unknown as before the resend.
     *
     * @param status the status
     * @param <R> what the caller receives
     */
    record Unsettled<R>(int status) implements AttemptResult<R> {
        @Override
        public FailurePhase phase() {
            return FailurePhase.OUTCOME_UNKNOWN;
        }

        @Override
        public IOException failure() {
            return new IOException("status " + status + " after a resend: the earlier attempt's outcome is still unknown");
        }
    }

    /**
     * A transport failure, classified by what reached the wire ({@link FailureClassifier}).
     *
     * @param phase where the exchange failed
     * @param failure the failure
     * @param retryable whether a {@link FailurePhase#NEVER_SENT} failure is worth retrying
     * @param deadlineFired whether the policy's exchange deadline ended the attempt
     * @param <R> what the caller receives
     */
    record Failed<R>(FailurePhase phase, IOException failure, boolean retryable, boolean deadlineFired)
            implements AttemptResult<R> {}

    /**
     * An unchecked exception that the wire does not explain (a throwing interceptor or handler, a
     * shut-down pool): nothing of it concerns recovery, it is the caller's business.
     *
     * @param cause the exception, rethrown to the caller as it is
     * @param <R> what the caller receives
     */
    record Broken<R>(RuntimeException cause) implements AttemptResult<R> {
        @Override
        public FailurePhase phase() {
            return FailurePhase.NEVER_SENT;
        }

        @Override
        public IOException failure() {
            return new IOException(cause);
        }
    }
}
