package dev.abortguard.micrometer;

import dev.abortguard.client.CancelResult;
import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.StatusDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * Publishes the client policy's steps as Micrometer counters; register it with {@code
 * TimeoutRecoveryPolicy.Builder.addListener(new MicrometerRecoveryMetrics(registry))}.
 *
 * <p>Meters (every tag has a small, fixed set of values, so cardinality stays bounded; the key
 * and the URI are deliberately never tags):
 *
 * <ul>
 *   <li>{@code abortguard.client.failures}, tag {@code phase}: failures of covered requests;
 *   <li>{@code abortguard.client.outcomes}, tag {@code outcome}: how covered requests that failed
 *       at least once ended;
 *   <li>{@code abortguard.client.steps}, tag {@code step} ({@code retry}, {@code resend}, {@code
 *       status_check}, {@code cancel}) and tag {@code result} for status checks and cancels
 *       ({@code none} for the other steps).
 * </ul>
 *
 * <p>Tag values are the enum constants' names in lower case ({@code RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE}
 * is {@code outcome=completed_without_response}), as Micrometer's naming conventions have them.
 *
 * <p>A counter is registered the first time its tag value occurs and kept, so a step costs an
 * array read and an increment; a tag value that never occurred has no meter.
 */
public final class MicrometerRecoveryMetrics implements RecoveryListener {

    /** Counter name: failures of covered requests, tag {@code phase}. */
    public static final String FAILURES = "abortguard.client.failures";
    /** Counter name: how covered requests that failed at least once ended, tag {@code outcome}. */
    public static final String OUTCOMES = "abortguard.client.outcomes";
    /** Counter name: recovery steps taken, tags {@code step} and {@code result}. */
    public static final String STEPS = "abortguard.client.steps";

    private final Meters<FailurePhase> failures;
    private final Meters<RecoveryOutcome> outcomes;
    private final Meters<StatusDecision.Kind> statusChecks;
    private final Meters<CancelResult> cancels;
    private final Meters<PlainStep> plainSteps;

    /**
     * Creates the adapter; meters are registered in {@code registry} as the steps occur.
     *
     * @param registry where to register the counters
     * @throws NullPointerException if {@code registry} is {@code null}
     */
    public MicrometerRecoveryMetrics(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        failures = new Meters<>(FailurePhase.values().length, i -> Counter.builder(FAILURES)
                .description("Failures of requests covered by a TimeoutRecoveryPolicy, by where on the wire they happened")
                .tag("phase", tag(FailurePhase.values()[i]))
                .register(registry));
        outcomes = new Meters<>(RecoveryOutcome.values().length, i -> Counter.builder(OUTCOMES)
                .description("How covered requests that failed at least once ended")
                .tag("outcome", tag(RecoveryOutcome.values()[i]))
                .register(registry));
        statusChecks = new Meters<>(StatusDecision.Kind.values().length,
                i -> step(registry, "status_check", tag(StatusDecision.Kind.values()[i])));
        cancels = new Meters<>(CancelResult.values().length,
                i -> step(registry, "cancel", tag(CancelResult.values()[i])));
        plainSteps = new Meters<>(PlainStep.values().length,
                i -> step(registry, tag(PlainStep.values()[i]), "none"));
    }

    @Override
    public void onFailure(RecoveryContext context) {
        failures.increment(context.phase());
    }

    @Override
    public void onRetry(RecoveryContext context, Duration delay) {
        plainSteps.increment(PlainStep.RETRY);
    }

    @Override
    public void onStatusCheck(RecoveryContext context, StatusDecision decision) {
        statusChecks.increment(decision.kind());
    }

    @Override
    public void onCancel(RecoveryContext context, CancelResult result) {
        cancels.increment(result);
    }

    @Override
    public void onResend(RecoveryContext context) {
        plainSteps.increment(PlainStep.RESEND);
    }

    @Override
    public void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {
        outcomes.increment(outcome);
    }

    private static Counter step(MeterRegistry registry, String step, String result) {
        return Counter.builder(STEPS)
                .description("Recovery steps taken after a failure: retries, resends, status checks, cancels")
                .tag("step", step)
                .tag("result", result)
                .register(registry);
    }

    /** Micrometer's convention: lower-case tag values; {@code COMPLETED_WITHOUT_RESPONSE} is {@code completed_without_response}. */
    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The steps that have no result tag. */
    private enum PlainStep { RETRY, RESEND }

    /** One counter per constant of an enum tag, registered on first use. */
    private static final class Meters<E extends Enum<E>> {
        private final AtomicReferenceArray<Counter> counters;
        private final IntFunction<Counter> register;

        Meters(int constants, IntFunction<Counter> register) {
            this.counters = new AtomicReferenceArray<>(constants);
            this.register = register;
        }

        void increment(E value) {
            int i = value.ordinal();
            Counter counter = counters.get(i);
            if (counter == null) {
                // two racing threads both register: Micrometer returns the same counter for the same id
                counter = register.apply(i);
                counters.set(i, counter);
            }
            counter.increment();
        }
    }
}
