package dev.abortguard.client;

/**
 * Asks the server what happened to a request whose outcome is unknown, typically with a {@code
 * GET} on a status endpoint by idempotency key or payment reference.
 *
 * <p>Called on a policy-owned thread, bounded by {@link
 * TimeoutRecoveryPolicy.Builder#callbackTimeout} and the recovery timeout. A check that throws,
 * returns {@code null} or does not return in time counts as {@link StatusDecision#unknown()}, so
 * a status API that is down ends in a defined outcome rather than a crash. A check that times out
 * is interrupted; one that ignores the interrupt keeps one of the policy's callback threads (at
 * most 64; beyond that further callbacks are refused and count as UNKNOWN). Use a client for the
 * check that is not wrapped by the same policy, or the check can itself enter recovery.
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
