package dev.abortguard.client;

/**
 * What the policy does once an outcome is unknown ({@link FailurePhase#needsRecovery()}).
 *
 * <p>Every mode ends in a defined result: a response for the caller, or a {@link
 * TimeoutRecoveryException}; outcomes that stay unknown also go to the {@link
 * UnresolvedOutcomeHandler}. A mode that needs a callback fails at {@link
 * TimeoutRecoveryPolicy.Builder#build()} when the callback is missing.
 */
public enum RecoveryMode {
    /**
     * Do not try to resolve anything: the caller gets a {@link TimeoutRecoveryException} and the
     * outcome goes to the {@link UnresolvedOutcomeHandler} for reconciliation. The default, because
     * it is the only mode that needs nothing from the server.
     */
    REPORT_ONLY,

    /**
     * Resend the same payload under the same idempotency key, trusting the server to deduplicate
     * by key (the IETF {@code Idempotency-Key} contract). Requires a repeatable entity. Use it only
     * against servers that honour the key: a server that does not will apply a resent payment
     * twice. A lost 2xx body is resent too, so that such a server replays the stored response. A
     * resend answered with a status that leaves the outcome unknown (408, 409, 425, 429, 5xx) is
     * not resent again: the outcome ends {@link RecoveryOutcome#UNRESOLVED}.
     */
    RESEND_WITH_KEY,

    /**
     * Ask the server through {@link TimeoutRecoveryPolicy.Builder#statusCheck(StatusCheck)} until
     * the answer is COMPLETED or NOT_APPLIED or the recovery timeout passes. Requires a status check.
     * After NOT_APPLIED the request is resent under the same key; a resend answered with 408, 409,
     * 425, 429 or a 5xx settles nothing, so checking resumes within the same recovery timeout.
     */
    STATUS_CHECK,

    /**
     * Like {@link #STATUS_CHECK}, and when the status is still PENDING or UNKNOWN at the recovery
     * timeout, run the {@link CancelAction}. Requires both callbacks.
     */
    STATUS_CHECK_THEN_CANCEL,

    /**
     * Cancel or compensate right away through the {@link CancelAction}, without asking for the
     * status first. Requires a cancel action.
     */
    CANCEL
}
