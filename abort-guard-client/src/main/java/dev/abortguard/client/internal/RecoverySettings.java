package dev.abortguard.client.internal;

import dev.abortguard.client.CancelAction;
import dev.abortguard.client.NotAppliedAnswer;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.StatusCheck;
import dev.abortguard.client.UnresolvedOutcomeHandler;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.hc.core5.http.HttpRequest;

/**
 * The validated settings of one {@link TimeoutRecoveryPolicy}, as the internals read them. The
 * policy is the public API (builder, {@code wrap}, {@code instrument}); this record is what it hands
 * to the engine, so that no internal class reads fields of the public type.
 *
 * @param mode what to do on an unknown outcome
 * @param statusCheck the status check, or {@code null} when the mode has none
 * @param cancelAction the cancel action, or {@code null} when the mode has none
 * @param coverage which requests the policy handles
 * @param keys where keys come from and how they are written
 * @param maxAttempts sends per logical request, at least 1
 * @param retryBackoff between never-sent retries; the floor of a {@code Retry-After} wait
 * @param statusCheckBackoff between PENDING/UNKNOWN status checks
 * @param recoveryTimeout how long recovery may go on from the first unknown outcome
 * @param callbackTimeout the bound of one status check or cancel
 * @param maxRetryAfter the longest {@code Retry-After} honoured; zero disables
 * @param exchangeDeadline the whole-exchange deadline, or {@code null} for none
 * @param bufferResponseBody whether responses without a handler are read inside the exchange
 * @param unresolvedOutcomeHandler where unknown outcomes go
 * @param listeners the step listeners, immutable
 * @param notAppliedAnswers the replies that prove a request was not processed, immutable
 * @param retryBudget the per-route retry budget, or {@code null} for none
 * @param maxInFlightPerRoute attempts in flight per route, 0 for no limit
 * @param inFlightQueueTimeout the longest wait for an in-flight permit
 * @param notAppliedHorizon how long after the latest send a NOT_APPLIED status counts as PENDING; zero for never
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public record RecoverySettings(
        RecoveryMode mode,
        StatusCheck statusCheck,
        CancelAction cancelAction,
        Predicate<HttpRequest> coverage,
        IdempotencyKeys keys,
        int maxAttempts,
        Backoff retryBackoff,
        Backoff statusCheckBackoff,
        Duration recoveryTimeout,
        Duration callbackTimeout,
        Duration maxRetryAfter,
        Duration exchangeDeadline,
        boolean bufferResponseBody,
        UnresolvedOutcomeHandler unresolvedOutcomeHandler,
        List<RecoveryListener> listeners,
        List<NotAppliedAnswer> notAppliedAnswers,
        Budget retryBudget,
        int maxInFlightPerRoute,
        Duration inFlightQueueTimeout,
        Duration notAppliedHorizon) {

    public RecoverySettings {
        listeners = List.copyOf(listeners);
        notAppliedAnswers = List.copyOf(notAppliedAnswers);
    }

    /**
     * The retry budget's settings (see {@link RetryBudget}).
     *
     * @param ratio recovery steps per first attempt, 0..1
     * @param minPerSecond recovery steps always allowed per second of the window
     * @param window the sliding window
     */
    public record Budget(double ratio, int minPerSecond, Duration window) {}

    /** The routes of one wrapped client, with this policy's budget and limit. */
    public Routes newRoutes() {
        return retryBudget == null
                ? new Routes(0, 0, null, maxInFlightPerRoute)
                : new Routes(retryBudget.ratio(), retryBudget.minPerSecond(), retryBudget.window(), maxInFlightPerRoute);
    }

    /** Whether the policy handles {@code request}. */
    public boolean covers(HttpRequest request) {
        return coverage.test(request);
    }
}
