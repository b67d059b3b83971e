package dev.abortguard.client.internal;

import dev.abortguard.client.CancelResult;
import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.StatusDecision;
import dev.abortguard.client.internal.Decision.Reason;
import java.time.Duration;

/**
 * What a logical request does next, as pure functions of what is known: no I/O, no clock, no
 * randomness (time left is passed in, backoff delays are chosen by the caller). The README's tables
 * — phase on the wire × recovery mode × status decision × attempts and time left — are these
 * functions; {@code RecoveryDecisionsTest} checks them row by row.
 *
 * <p>Every step that sends or asks the server again (a retry, a {@code Retry-After} wait, a resend,
 * a status check, a cancel) also needs {@link Facts#budgetAllows}: the route's one retry budget gates
 * them all, so that recovery never adds load to an upstream that is already overloaded.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class RecoveryDecisions {

    // The happy path allocates no decision.
    private static final Decision FIRST_ANSWER = new Decision.ReturnResponse(null);
    private static final Decision RETRIED = new Decision.ReturnResponse(RecoveryOutcome.RETRIED);
    private static final Decision RESENT = new Decision.ReturnResponse(RecoveryOutcome.RESENT);

    private RecoveryDecisions() {}

    /** What was resent so far: the phase and outcome to end with if a resend settles nothing. */
    public enum Resent {
        /** Nothing was resent. */
        NO,
        /** Resent after a status check said NOT_APPLIED: the earlier attempts are known to be unsent. */
        AFTER_NOT_APPLIED,
        /** Resent without asking ({@link RecoveryMode#RESEND_WITH_KEY}): the earlier attempts are unknown. */
        WITHOUT_ASKING
    }

    /**
     * A snapshot of one logical request when a decision is due.
     *
     * @param mode the policy's recovery mode
     * @param failedBefore whether an earlier attempt of this request failed
     * @param resent what was resent so far
     * @param attemptsLeft whether another send is within {@code maxAttempts}
     * @param repeatable whether the payload can be sent again
     * @param canceledByCaller whether the caller canceled the request
     * @param budgetAllows whether the route's retry budget has a token for a recovery step now
     * @param withinNotAppliedHorizon whether the latest send of the key is more recent than the
     *     not-applied horizon: a NOT_APPLIED is not believed yet
     */
    public record Facts(
            RecoveryMode mode,
            boolean failedBefore,
            Resent resent,
            boolean attemptsLeft,
            boolean repeatable,
            boolean canceledByCaller,
            boolean budgetAllows,
            boolean withinNotAppliedHorizon) {}

    /**
     * Whether an attempt may turn a 429/503 with {@code Retry-After} into a retry: only with a
     * payload that can be sent again (a consumed stream would go out empty or truncated under the
     * same key) and a send left.
     */
    public static boolean honoursRetryAfter(Facts facts) {
        return facts.attemptsLeft() && facts.repeatable() && facts.budgetAllows();
    }

    /**
     * The step after an attempt ended.
     *
     * @param nanosLeft time left before the recovery timeout; only read once recovery has started
     */
    public static Decision afterAttempt(AttemptResult<?> result, Facts facts, long nanosLeft) {
        if (result instanceof AttemptResult.Answered) {
            return !facts.failedBefore() ? FIRST_ANSWER : facts.resent() == Resent.NO ? RETRIED : RESENT;
        }
        if (result instanceof AttemptResult.Broken) {
            // A resend that failed before the wire (the client was closed during recovery, an
            // interceptor threw) settles nothing: end with what was known before it.
            return facts.resent() != Resent.NO ? endAsBefore(facts) : new Decision.Rethrow(facts.failedBefore());
        }
        if (result instanceof AttemptResult.RetryAfterAnswer) {
            return new Decision.Retry(((AttemptResult.RetryAfterAnswer<?>) result).delay());
        }
        if (result instanceof AttemptResult.NotAppliedReply) {
            // proven unprocessed: a retry under the same key, after the plain retry backoff
            return new Decision.Retry(null);
        }
        if (result instanceof AttemptResult.RefusedUnprocessed) {
            // proven unprocessed, with no answer to return: a retry under the same key when one is left
            // (the budget is asked when it is carried out, so that a spent one is reported), else the
            // failure as it is, or what was known before a resend
            return facts.attemptsLeft() && facts.repeatable() && !facts.canceledByCaller()
                    ? new Decision.Retry(null)
                    : afterNoRetry(facts);
        }
        if (result instanceof AttemptResult.Unsettled) {
            // The resend was answered, but the answer says nothing about the earlier attempt: back to
            // the status check when the mode has one, within the recovery timeout already running.
            return checksStatus(facts.mode())
                    ? recover(FailurePhase.OUTCOME_UNKNOWN, facts, nanosLeft)
                    : new Decision.GiveUp(FailurePhase.OUTCOME_UNKNOWN, RecoveryOutcome.UNRESOLVED, null);
        }
        AttemptResult.Failed<?> failed = (AttemptResult.Failed<?>) result;
        switch (failed.phase()) {
            case NEVER_SENT:
                return failed.retryable() && facts.attemptsLeft() && facts.repeatable()
                        && !facts.canceledByCaller() && facts.budgetAllows()
                        ? new Decision.Retry(null)
                        : afterNoRetry(facts);
            case RESPONSE_RECEIVED:
                return new Decision.Rethrow(true);
            default:
                return recover(failed.phase(), facts, nanosLeft);
        }
    }

    /**
     * The step when a failure that nothing was applied for is not retried (no attempts, no budget,
     * or the wait was interrupted): the failure itself, unless a resend went out before — then what
     * was known before it, never a bare connect error that hides an unknown.
     */
    public static Decision afterNoRetry(Facts facts) {
        return facts.resent() != Resent.NO ? endAsBefore(facts) : new Decision.Rethrow(true);
    }

    /** The first recovery step for an unknown outcome ({@code phase} needs recovery). */
    public static Decision recover(FailurePhase phase, Facts facts, long nanosLeft) {
        if (facts.canceledByCaller()) {
            return new Decision.GiveUp(phase, RecoveryOutcome.UNRESOLVED, Reason.CANCELED_BY_CALLER);
        }
        switch (facts.mode()) {
            case REPORT_ONLY:
                return new Decision.GiveUp(phase, unknownUnlessSucceeded(phase), Reason.REPORT_ONLY);
            case RESEND_WITH_KEY:
                return resendOr(RecoveryOutcome.UNRESOLVED, phase, facts, nanosLeft);
            case CANCEL:
                if (succeeded(phase)) {
                    return new Decision.GiveUp(phase, RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE, Reason.SUCCESS_NOT_CANCELED);
                }
                return facts.budgetAllows()
                        ? new Decision.Cancel(null)
                        : new Decision.GiveUp(phase, RecoveryOutcome.UNRESOLVED, Reason.BUDGET_EXHAUSTED);
            case STATUS_CHECK:
            case STATUS_CHECK_THEN_CANCEL:
            default:
                return facts.budgetAllows()
                        ? new Decision.CheckStatus(Duration.ZERO)
                        : new Decision.GiveUp(phase, unknownUnlessSucceeded(phase), Reason.BUDGET_EXHAUSTED);
        }
    }

    /**
     * The step after a status check answered (UNKNOWN when it failed or timed out).
     *
     * @param nanosLeft time left before the recovery timeout, read after the check returned
     * @param nextDelay the backoff before the next check, should one be due
     */
    public static Decision afterStatusCheck(
            StatusDecision answer, FailurePhase phase, Facts facts, long nanosLeft, Duration nextDelay) {
        switch (answer.kind()) {
            case COMPLETED:
                return answer.response().isPresent()
                        ? new Decision.Adopt(answer.response().get())
                        : new Decision.GiveUp(phase, RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE, null);
            case NOT_APPLIED:
                // too soon after the latest send to believe "not found": the request may be queued
                // where the status API cannot see it, so it counts as PENDING until the horizon passed
                return facts.withinNotAppliedHorizon()
                        ? checkAgain(phase, facts, nanosLeft, nextDelay)
                        : resendOr(RecoveryOutcome.NOT_APPLIED, phase, facts, nanosLeft);
            case PENDING:
            case UNKNOWN:
            default:
                return checkAgain(phase, facts, nanosLeft, nextDelay);
        }
    }

    /** Another status check after {@code nextDelay}, if it fits in the recovery timeout and the budget. */
    private static Decision checkAgain(FailurePhase phase, Facts facts, long nanosLeft, Duration nextDelay) {
        if (nextDelay.toNanos() >= nanosLeft) {
            return afterRecoveryTimeout(phase, facts, Reason.NEXT_CHECK_TOO_LATE);
        }
        return facts.budgetAllows()
                ? new Decision.CheckStatus(nextDelay)
                : new Decision.GiveUp(phase, unknownUnlessSucceeded(phase), Reason.BUDGET_EXHAUSTED);
    }

    /** The ending when the wait before a status check was interrupted. */
    public static Decision afterInterruptedStatusWait(FailurePhase phase) {
        return new Decision.GiveUp(phase, RecoveryOutcome.UNRESOLVED, null);
    }

    /**
     * The step when no status check could be started (earlier callbacks still hold their threads):
     * a cancel could not start either, so end as nothing is known.
     */
    public static Decision statusCheckNotStarted(FailurePhase phase) {
        return new Decision.GiveUp(phase, unknownUnlessSucceeded(phase), null);
    }

    /**
     * The step when the recovery timeout passed with the status still PENDING or UNKNOWN: never
     * cancel a confirmed success (the 2xx head of a lost body), cancel when the mode says so.
     */
    public static Decision afterRecoveryTimeout(FailurePhase phase, Facts facts) {
        return afterRecoveryTimeout(phase, facts, Reason.RECOVERY_TIMEOUT);
    }

    /**
     * {@link #afterRecoveryTimeout(FailurePhase, Facts)} with the reason the trail gives: the timeout
     * passed, or the next check would start after it.
     */
    public static Decision afterRecoveryTimeout(FailurePhase phase, Facts facts, Reason why) {
        if (succeeded(phase)) {
            return new Decision.GiveUp(phase, RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE, why);
        }
        if (facts.mode() == RecoveryMode.STATUS_CHECK_THEN_CANCEL) {
            return facts.budgetAllows()
                    ? new Decision.Cancel(why)
                    : new Decision.GiveUp(phase, RecoveryOutcome.UNRESOLVED, Reason.BUDGET_EXHAUSTED);
        }
        return new Decision.GiveUp(phase, RecoveryOutcome.UNRESOLVED, why);
    }

    /**
     * The step when {@code refused} (a retry, resend, status check or cancel) cannot be carried out
     * after all — the retry budget was spent by then, or the wait before it was interrupted:
     * recovery stops with what is known.
     */
    public static Decision budgetRefused(Decision refused, FailurePhase phase, Facts facts) {
        if (refused instanceof Decision.Retry) {
            return afterNoRetry(facts);
        }
        if (refused instanceof Decision.Resend) {
            return new Decision.GiveUp(phase,
                    ((Decision.Resend) refused).knownNotApplied() ? RecoveryOutcome.NOT_APPLIED : RecoveryOutcome.UNRESOLVED,
                    null);
        }
        return new Decision.GiveUp(phase, unknownUnlessSucceeded(phase), null);
    }

    /** The ending after a cancel; {@code result} is {@code null} when the cancel could not start. */
    public static Decision afterCancel(CancelResult result, FailurePhase phase) {
        if (result == CancelResult.CANCELED) {
            return new Decision.GiveUp(phase, RecoveryOutcome.CANCELED, null);
        }
        if (result == CancelResult.ALREADY_COMPLETED) {
            return new Decision.GiveUp(phase, RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE, null);
        }
        return new Decision.GiveUp(phase, RecoveryOutcome.UNRESOLVED, null);
    }

    /**
     * Resends when safe. {@code otherwise} is the outcome when it is not: {@link
     * RecoveryOutcome#NOT_APPLIED} after a status check said so (known, not resent), {@link
     * RecoveryOutcome#UNRESOLVED} in {@link RecoveryMode#RESEND_WITH_KEY} (nobody asked the server,
     * so only within the recovery timeout).
     */
    private static Decision resendOr(RecoveryOutcome otherwise, FailurePhase phase, Facts facts, long nanosLeft) {
        if (!facts.repeatable()) {
            return new Decision.GiveUp(phase, otherwise, Reason.NOT_REPEATABLE);
        }
        if (!facts.attemptsLeft()) {
            return new Decision.GiveUp(phase, otherwise, Reason.ATTEMPTS_EXHAUSTED);
        }
        if (otherwise == RecoveryOutcome.UNRESOLVED && nanosLeft <= 0) {
            return new Decision.GiveUp(phase, otherwise, Reason.RESEND_TOO_LATE);
        }
        if (!facts.budgetAllows()) {
            return new Decision.GiveUp(phase, otherwise, Reason.BUDGET_EXHAUSTED);
        }
        return new Decision.Resend(otherwise == RecoveryOutcome.NOT_APPLIED);
    }

    /**
     * Ends with what was known before the resends: {@link FailurePhase#OUTCOME_UNKNOWN} and
     * UNRESOLVED when nobody knows what the first attempts did, {@link FailurePhase#NEVER_SENT} and
     * NOT_APPLIED when a status check said they were not applied.
     */
    private static Decision endAsBefore(Facts facts) {
        return facts.resent() == Resent.WITHOUT_ASKING
                ? new Decision.GiveUp(FailurePhase.OUTCOME_UNKNOWN, RecoveryOutcome.UNRESOLVED, null)
                : new Decision.GiveUp(FailurePhase.NEVER_SENT, RecoveryOutcome.NOT_APPLIED, null);
    }

    public static boolean checksStatus(RecoveryMode mode) {
        return mode == RecoveryMode.STATUS_CHECK || mode == RecoveryMode.STATUS_CHECK_THEN_CANCEL;
    }

    /** A 2xx head arrived before the body was lost: the server acted. */
    private static boolean succeeded(FailurePhase phase) {
        return phase == FailurePhase.RESPONSE_BODY_LOST;
    }

    private static RecoveryOutcome unknownUnlessSucceeded(FailurePhase phase) {
        return succeeded(phase) ? RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE : RecoveryOutcome.UNRESOLVED;
    }
}
