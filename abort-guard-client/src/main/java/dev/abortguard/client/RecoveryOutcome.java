package dev.abortguard.client;

/**
 * How a covered request that failed at least once ended. Counted by {@link RecoveryCounters} and
 * abort-guard-micrometer's {@code MicrometerRecoveryMetrics}, reported to {@link RecoveryListener#onOutcome}, and carried
 * by {@link TimeoutRecoveryException#outcome()}.
 */
public enum RecoveryOutcome {
    /** A {@link FailurePhase#NEVER_SENT} failure or a {@code Retry-After} answer was retried and
     * the retry was answered; the caller got that response. */
    RETRIED,

    /** The outcome was unknown, the request was resent under the same key and the resend was
     * answered with a status that settles it (2xx, or a 4xx other than 408, 409, 425 and 429); the
     * caller got that response. A resend answered with 408, 409, 425, 429 or a 5xx settles
     * nothing: recovery goes on, or ends {@link #UNRESOLVED}. */
    RESENT,

    /** The status check reported COMPLETED with a response; the caller got that response. */
    COMPLETED,

    /** The server is known to have acted but no response is available (COMPLETED without a
     * response, a lost 2xx body in {@link RecoveryMode#REPORT_ONLY}, or a cancel that found the
     * operation already completed). The caller gets a {@link TimeoutRecoveryException}. */
    COMPLETED_WITHOUT_RESPONSE,

    /** The server is known not to have acted and the request was not resent (non-repeatable
     * entity, no attempts left, or the resend itself could not be sent). The caller gets a {@link
     * TimeoutRecoveryException}. */
    NOT_APPLIED,

    /** The {@link CancelAction} reported the operation canceled. The caller gets a {@link
     * TimeoutRecoveryException}. */
    CANCELED,

    /** Nothing could establish what happened. The caller gets a {@link TimeoutRecoveryException}
     * and the {@link UnresolvedOutcomeHandler} receives the same exception. */
    UNRESOLVED,

    /** A failure that recovery does not handle (a {@link FailurePhase#NEVER_SENT} failure with no
     * attempts left, or a {@link FailurePhase#RESPONSE_RECEIVED} failure); the caller gets the
     * original exception unchanged. */
    FAILED
}
