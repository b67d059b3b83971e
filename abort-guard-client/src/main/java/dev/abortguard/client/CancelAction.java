package dev.abortguard.client;

/**
 * Cancels or compensates a request whose outcome stayed unknown, for example {@code POST
 * /payments/{key}/cancel}.
 *
 * <p>Runs in {@link RecoveryMode#CANCEL} right away and in {@link
 * RecoveryMode#STATUS_CHECK_THEN_CANCEL} when the status checks did not settle the outcome before
 * the recovery timeout. Called on a policy-owned thread and bounded by {@link
 * TimeoutRecoveryPolicy.Builder#callbackTimeout}; an action that throws, returns {@code null} or
 * hangs counts as {@link CancelResult#FAILED}, and the outcome goes to the {@link
 * UnresolvedOutcomeHandler}. An action that ignores the interrupt at its timeout keeps its thread;
 * while 16 status checks and cancel actions of the wrapped client are stuck that way, no cancel is
 * started and the outcome is {@link RecoveryOutcome#UNRESOLVED} at once (see {@link StatusCheck}).
 */
@FunctionalInterface
public interface CancelAction {

    /**
     * Cancels the request described by {@code context}.
     *
     * @param context the request, its idempotency key, the phase and the failure
     * @return what the cancel achieved
     * @throws Exception any failure, which counts as {@link CancelResult#FAILED}
     */
    CancelResult cancel(RecoveryContext context) throws Exception;
}
