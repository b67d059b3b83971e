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

    /**
     * A reply proved the attempt was not processed (one of the policy's {@link NotAppliedAnswer}s,
     * such as fasthttp's concurrency-limit 503): the upstream is refusing work. The request is sent
     * again under the same key if the budget and the attempts allow ({@link #onRetry} or {@link
     * #onResend} follows).
     *
     * @param context the refused attempt; its cause describes the reply
     */
    default void onNotApplied(RecoveryContext context) {}

    /**
     * The upstream answered with {@code Retry-After}: nobody sends to the route again before
     * {@code delay} (capped by {@code maxRetryAfter}) has passed.
     *
     * @param context the answered attempt
     * @param delay the wait the answer asked for, capped
     */
    default void onRetryAfter(RecoveryContext context, Duration delay) {}

    /**
     * A retry, resend, status check or cancel was refused because the route's retry budget is
     * spent: recovery goes on with what it knows, without adding load.
     *
     * @param context the request in recovery
     */
    default void onBudgetExhausted(RecoveryContext context) {}

    /**
     * An attempt found its route at {@code maxInFlightPerRoute} and waited for a permit. Not
     * called when a permit was free at once (the happy path costs nothing here). When {@code
     * admitted} is false nothing was sent: the attempt fails {@link FailurePhase#NEVER_SENT} with an
     * {@link InFlightLimitExceededException}.
     *
     * @param route the route, {@code scheme://host:port} (bounded, as in {@link RecoveryContext#route()})
     * @param waited how long it waited
     * @param admitted whether it got the permit
     */
    default void onInFlightWait(String route, Duration waited, boolean admitted) {}
}
