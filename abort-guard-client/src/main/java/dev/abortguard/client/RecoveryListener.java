package dev.abortguard.client;

import java.time.Duration;

/**
 * Observes each step the policy takes, for logging, tracing and metrics ({@link RecoveryCounters}
 * and abort-guard-micrometer's {@code MicrometerRecoveryMetrics} are listeners). All methods default to doing nothing.
 *
 * <p>Listeners are called synchronously on the thread that takes the step; keep them fast.
 *
 * <p>Observation never changes an outcome or skips a step. What a listener throws is handled per
 * call, and the remaining listeners, the {@link UnresolvedOutcomeHandler} and the caller's result
 * or exception follow as if it had returned:
 *
 * <ul>
 *   <li>any exception (unchecked, or checked and thrown sneakily) and any {@link Error} other than
 *       a {@link VirtualMachineError} (an {@link AssertionError}, a {@link LinkageError}, ...) is
 *       logged once, at WARN with its stack trace on the logger {@code
 *       dev.abortguard.client.RecoveryEngine}, and dropped (at most 10 such lines per second per
 *       wrapped client; the rest are counted in a "Suppressed N" line written with the next one or
 *       when the client is closed);
 *   <li>a {@link VirtualMachineError} ({@link OutOfMemoryError}, {@link StackOverflowError}) is
 *       not dropped: it is kept while the logical request runs to its end (the handler receives an
 *       unresolved outcome, every listener gets {@link #onOutcome}), and is then thrown to the
 *       caller in place of the result or exception, which is attached to it as {@linkplain
 *       Throwable#addSuppressed suppressed} where the error allows it (a {@code
 *       StackOverflowError} raised by the JVM does not). A response that nobody will receive then is
 *       closed. With the async adapter the returned future fails with the error.
 * </ul>
 */
public interface RecoveryListener {

    /**
     * A covered request failed; {@link RecoveryContext#phase()} says how far it got.
     *
     * @param context the failed attempt
     */
    default void onFailure(RecoveryContext context) {}

    /**
     * A {@link FailurePhase#NEVER_SENT} failure or a {@code Retry-After} answer will be retried
     * after {@code delay}.
     *
     * @param context the attempt being retried
     * @param delay the wait before the retry
     */
    default void onRetry(RecoveryContext context, Duration delay) {}

    /**
     * A status check returned (a check that threw or timed out is reported as UNKNOWN).
     *
     * @param context the request in recovery
     * @param decision the decision
     */
    default void onStatusCheck(RecoveryContext context, StatusDecision decision) {}

    /**
     * A cancel action returned (one that threw or timed out is reported as FAILED).
     *
     * @param context the request in recovery
     * @param result the result
     */
    default void onCancel(RecoveryContext context, CancelResult result) {}

    /**
     * The request is about to be resent under the same key.
     *
     * @param context the failed attempt that led to the resend
     */
    default void onResend(RecoveryContext context) {}

    /**
     * A covered request that failed at least once has ended.
     *
     * @param context the last attempt
     * @param outcome how it ended
     */
    default void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {}
}
