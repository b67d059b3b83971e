package dev.abortguard.client;

/**
 * Asks the server what happened to a request whose outcome is unknown, typically with a {@code
 * GET} on a status endpoint by idempotency key or payment reference.
 *
 * <p>Called on a policy-owned thread, bounded by {@link
 * TimeoutRecoveryPolicy.Builder#callbackTimeout} and the recovery timeout. A check that throws,
 * returns {@code null} or does not return in time counts as {@link StatusDecision#unknown()}, so
 * a status API that is down ends in a defined outcome rather than a crash. A check that times out
 * is interrupted; one that ignores the interrupt (a blocking read without its own timeout) keeps
 * one of the wrapped client's callback threads until it returns. At most 16 such stuck status
 * checks and cancel actions are tolerated per wrapped client: while 16 are still running, no new
 * one is started, and a recovery that needs one ends at once, {@link
 * RecoveryOutcome#UNRESOLVED} to the {@link UnresolvedOutcomeHandler} ({@link
 * RecoveryOutcome#COMPLETED_WITHOUT_RESPONSE} for a lost 2xx body), with "not started" in its
 * trail. Give the check's own client a read timeout shorter than the callback timeout. Besides,
 * at most 64 callbacks run at once; beyond that a check is refused and counts as UNKNOWN. Use a
 * client for the check that is not wrapped by the same policy, or the check can itself enter
 * recovery.
 */
@FunctionalInterface
public interface StatusCheck {

    /**
     * Returns what the server says about the request described by {@code context}.
     *
     * @param context the request, its idempotency key, the phase and the failure
     * @return the decision; never {@code null} (a {@code null} counts as UNKNOWN)
     * @throws Exception any failure, which counts as UNKNOWN
     */
    StatusDecision check(RecoveryContext context) throws Exception;
}
