package dev.abortguard.client.internal;

import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryOutcome;
import java.time.Duration;
import org.apache.hc.core5.http.ClassicHttpResponse;

/**
 * The next step of a logical request, as {@link RecoveryDecisions} chooses it and the {@link
 * RecoveryEngine} carries it out.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public sealed interface Decision {

    /**
     * Hand the attempt's answer to the caller.
     *
     * @param outcome the outcome to report ({@link RecoveryOutcome#RETRIED} or {@link
     *     RecoveryOutcome#RESENT}), or {@code null} when the first attempt answered
     */
    record ReturnResponse(RecoveryOutcome outcome) implements Decision {}

    /**
     * The failure reaches the caller as it is (nothing to recover, or not the policy's business).
     *
     * @param reportFailed whether listeners get {@link RecoveryOutcome#FAILED}: every failure after
     *     the policy has seen one, never an unrelated exception of the first attempt
     */
    record Rethrow(boolean reportFailed) implements Decision {}

    /**
     * Send again after a pause, as nothing was applied: a never-sent failure or a {@code
     * Retry-After}.
     *
     * @param asked the server's {@code Retry-After}, or {@code null} for the plain retry backoff
     */
    record Retry(Duration asked) implements Decision {}

    /**
     * Resend under the same key.
     *
     * @param knownNotApplied whether a status check said the earlier attempts were not applied (else
     *     the resend is made without asking, {@link RecoveryMode#RESEND_WITH_KEY})
     */
    record Resend(boolean knownNotApplied) implements Decision {}

    /**
     * Ask the {@link StatusCheck}, after a pause.
     *
     * @param after the pause, {@link Duration#ZERO} for the first check
     */
    record CheckStatus(Duration after) implements Decision {}

    /**
     * Run the {@link CancelAction}.
     *
     * @param reason why, for the trail ({@link Reason#RECOVERY_TIMEOUT}), or {@code null}
     */
    record Cancel(Reason reason) implements Decision {}

    /**
     * Hand the response a COMPLETED status check supplied to the caller.
     *
     * @param response the status check's response
     */
    record Adopt(ClassicHttpResponse response) implements Decision {}

    /**
     * End with a {@link TimeoutRecoveryException}; an {@link RecoveryOutcome#UNRESOLVED} one goes to
     * the handler first.
     *
     * @param phase the phase the exception reports
     * @param outcome the outcome
     * @param reason why, for the trail, or {@code null} when the step before said it already
     */
    record GiveUp(FailurePhase phase, RecoveryOutcome outcome, Reason reason) implements Decision {}

    /** Why a step was skipped or refused; each is one line of the decision trail. */
    enum Reason {
        /** The caller canceled the request: recovery does not act on its behalf. */
        CANCELED_BY_CALLER("recovery"),
        /** {@link RecoveryMode#REPORT_ONLY}: nothing is done. */
        REPORT_ONLY("recovery"),
        /** A 2xx head arrived before the body was lost: cancelling would undo a confirmed success. */
        SUCCESS_NOT_CANCELED("cancel"),
        /** The entity is not repeatable: a resend would send a different payload under the same key. */
        NOT_REPEATABLE("resend"),
        /** {@code maxAttempts} sends were made. */
        ATTEMPTS_EXHAUSTED("resend"),
        /** A blind resend after the recovery timeout passed. */
        RESEND_TOO_LATE("resend"),
        /** The recovery timeout passed with the status still PENDING or UNKNOWN. */
        RECOVERY_TIMEOUT("status-check"),
        /** The status is still PENDING or UNKNOWN, and the next check, after its backoff, would start after the recovery timeout. */
        NEXT_CHECK_TOO_LATE("status-check"),
        /** The route's retry budget refused a recovery step. */
        BUDGET_EXHAUSTED("recovery");

        private final String action;

        Reason(String action) {
            this.action = action;
        }

        /** The trail's action column for this reason. */
        String action() {
            return action;
        }

        /** The trail's result column for this reason. */
        String result(int maxAttempts, Duration recoveryTimeout) {
            switch (this) {
                case CANCELED_BY_CALLER:
                    return "skipped: request canceled by the caller";
                case REPORT_ONLY:
                    return "none (REPORT_ONLY)";
                case SUCCESS_NOT_CANCELED:
                    return "skipped: the server answered 2xx before the body was lost";
                case NOT_REPEATABLE:
                    return "refused: request entity is not repeatable";
                case ATTEMPTS_EXHAUSTED:
                    return "refused: maxAttempts " + maxAttempts + " reached";
                case RESEND_TOO_LATE:
                    return "refused: recovery timeout passed";
                case RECOVERY_TIMEOUT:
                    return "recovery timeout " + recoveryTimeout.toMillis() + "ms passed";
                case NEXT_CHECK_TOO_LATE:
                    return "stopped: the next check would start after the recovery timeout (" + recoveryTimeout.toMillis() + "ms)";
                default:
                    return "refused: retry budget exhausted";
            }
        }
    }
}
