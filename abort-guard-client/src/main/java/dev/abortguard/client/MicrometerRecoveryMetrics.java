package dev.abortguard.client;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Publishes the policy's steps as Micrometer counters. Micrometer is an optional dependency of
 * this library: this class is the only one that touches it and is loaded only when you create it.
 *
 * <p>Meters (all tags have a small, fixed set of values, so cardinality stays bounded; the key
 * and the URI are deliberately never tags):
 *
 * <ul>
 *   <li>{@code abortguard.client.failures}, tag {@code phase}: failures of covered requests;
 *   <li>{@code abortguard.client.outcomes}, tag {@code outcome}: how covered requests that failed
 *       at least once ended;
 *   <li>{@code abortguard.client.steps}, tag {@code step} ({@code retry}, {@code resend}, {@code
 *       status_check}, {@code cancel}) and tag {@code result} for status checks and cancels.
 * </ul>
 */
public final class MicrometerRecoveryMetrics implements RecoveryListener {

    private final MeterRegistry registry;

    /**
     * Creates the adapter; register it with {@link
     * TimeoutRecoveryPolicy.Builder#addListener(RecoveryListener)}.
     *
     * @param registry where to register the counters
     */
    public MicrometerRecoveryMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void onFailure(RecoveryContext context) {
        registry.counter("abortguard.client.failures", "phase", tag(context.phase())).increment();
    }

    @Override
    public void onRetry(RecoveryContext context, Duration delay) {
        step("retry", "none");
    }

    @Override
    public void onStatusCheck(RecoveryContext context, StatusDecision decision) {
        step("status_check", tag(decision.kind()));
    }

    @Override
    public void onCancel(RecoveryContext context, CancelResult result) {
        step("cancel", tag(result));
    }

    @Override
    public void onResend(RecoveryContext context) {
        step("resend", "none");
    }

    @Override
    public void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {
        registry.counter("abortguard.client.outcomes", "outcome", tag(outcome)).increment();
    }

    private void step(String step, String result) {
        registry.counter("abortguard.client.steps", "step", step, "result", result).increment();
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
