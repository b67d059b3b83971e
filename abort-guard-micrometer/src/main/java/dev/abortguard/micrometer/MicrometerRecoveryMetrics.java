package dev.abortguard.micrometer;

import dev.abortguard.client.CancelResult;
import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.StatusDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Publishes the client policy's steps as Micrometer meters; register it with {@code
 * TimeoutRecoveryPolicy.Builder.addListener(new MicrometerRecoveryMetrics(registry))}.
 *
 * <p>Meters, each tagged {@code route} ({@code scheme://host:port} of the request's target; at most
 * 256 values, further routes are {@code OTHER}); every other tag has a small, fixed set of values,
 * and the key and the URI are deliberately never tags:
 *
 * <ul>
 *   <li>{@code abortguard.client.failures}, tag {@code phase}: failures of covered requests;
 *   <li>{@code abortguard.client.outcomes}, tag {@code outcome}: how covered requests that failed
 *       at least once ended;
 *   <li>{@code abortguard.client.steps}, tag {@code step} ({@code retry}, {@code resend}, {@code
 *       status_check}, {@code cancel}) and tag {@code result} for status checks and cancels
 *       ({@code none} for the other steps);
 *   <li>{@code abortguard.client.overload}, tag {@code signal} ({@code not_applied}, {@code
 *       retry_after}, {@code budget_exhausted}, {@code in_flight_rejected}): what an overloaded
 *       upstream made the policy see or do;
 *   <li>{@code abortguard.client.in_flight.wait}, a timer, tag {@code admitted} ({@code true},
 *       {@code false}): waits for an in-flight permit of {@code maxInFlightPerRoute} (not recorded
 *       when a permit was free at once).
 * </ul>
 *
 * <p>Tag values are the enum constants' names in lower case ({@code RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE}
 * is {@code outcome=completed_without_response}), as Micrometer's naming conventions have them.
 *
 * <p>A meter is registered the first time its route and tag value occur and kept, so a step costs
 * a map read, an array read and an increment; a tag value that never occurred has no meter.
 */
public final class MicrometerRecoveryMetrics implements RecoveryListener {

    /** Counter name: failures of covered requests, tags {@code route} and {@code phase}. */
    public static final String FAILURES = "abortguard.client.failures";
    /** Counter name: how covered requests that failed at least once ended, tags {@code route} and {@code outcome}. */
    public static final String OUTCOMES = "abortguard.client.outcomes";
    /** Counter name: recovery steps taken, tags {@code route}, {@code step} and {@code result}. */
    public static final String STEPS = "abortguard.client.steps";
    /** Counter name: overload signals, tags {@code route} and {@code signal}. */
    public static final String OVERLOAD = "abortguard.client.overload";
    /** Timer name: waits for an in-flight permit, tags {@code route} and {@code admitted}. */
    public static final String IN_FLIGHT_WAIT = "abortguard.client.in_flight.wait";

    private final RouteTag<Counter> failures;
    private final RouteTag<Counter> outcomes;
    private final RouteTag<Counter> statusChecks;
    private final RouteTag<Counter> cancels;
    private final RouteTag<Counter> plainSteps;
    private final RouteTag<Counter> overload;
    private final RouteTag<Timer> inFlightWaits;

    /**
     * Creates the adapter; meters are registered in {@code registry} as the steps occur.
     *
     * @param registry where to register the meters
     * @throws NullPointerException if {@code registry} is {@code null}
     */
    public MicrometerRecoveryMetrics(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        failures = new RouteTag<>(FailurePhase.values().length, (route, i) -> Counter.builder(FAILURES)
                .description("Failures of requests covered by a TimeoutRecoveryPolicy, by where on the wire they happened")
                .tag("route", route)
                .tag("phase", tag(FailurePhase.values()[i]))
                .register(registry));
        outcomes = new RouteTag<>(RecoveryOutcome.values().length, (route, i) -> Counter.builder(OUTCOMES)
                .description("How covered requests that failed at least once ended")
                .tag("route", route)
                .tag("outcome", tag(RecoveryOutcome.values()[i]))
                .register(registry));
        statusChecks = new RouteTag<>(StatusDecision.Kind.values().length,
                (route, i) -> step(registry, route, "status_check", tag(StatusDecision.Kind.values()[i])));
        cancels = new RouteTag<>(CancelResult.values().length,
                (route, i) -> step(registry, route, "cancel", tag(CancelResult.values()[i])));
        plainSteps = new RouteTag<>(PlainStep.values().length,
                (route, i) -> step(registry, route, tag(PlainStep.values()[i]), "none"));
        overload = new RouteTag<>(Signal.values().length, (route, i) -> Counter.builder(OVERLOAD)
                .description("What an overloaded upstream made the policy see or do: answers proving a request was not"
                        + " processed, Retry-After answers, steps refused by the retry budget, attempts refused by the"
                        + " in-flight limit")
                .tag("route", route)
                .tag("signal", tag(Signal.values()[i]))
                .register(registry));
        inFlightWaits = new RouteTag<>(2, (route, i) -> Timer.builder(IN_FLIGHT_WAIT)
                .description("Waits for an in-flight permit of maxInFlightPerRoute, admitted or refused")
                .tag("route", route)
                .tag("admitted", i == 1 ? "true" : "false")
                .register(registry));
    }

    @Override
    public void onFailure(RecoveryContext context) {
        failures.meter(context.route(), context.phase().ordinal()).increment();
    }

    @Override
    public void onRetry(RecoveryContext context, Duration delay) {
        plainSteps.meter(context.route(), PlainStep.RETRY.ordinal()).increment();
    }

    @Override
    public void onStatusCheck(RecoveryContext context, StatusDecision decision) {
        statusChecks.meter(context.route(), decision.kind().ordinal()).increment();
    }

    @Override
    public void onCancel(RecoveryContext context, CancelResult result) {
        cancels.meter(context.route(), result.ordinal()).increment();
    }

    @Override
    public void onResend(RecoveryContext context) {
        plainSteps.meter(context.route(), PlainStep.RESEND.ordinal()).increment();
    }

    @Override
    public void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {
        outcomes.meter(context.route(), outcome.ordinal()).increment();
    }

    @Override
    public void onNotApplied(RecoveryContext context) {
        overload.meter(context.route(), Signal.NOT_APPLIED.ordinal()).increment();
    }

    @Override
    public void onRetryAfter(RecoveryContext context, Duration delay) {
        overload.meter(context.route(), Signal.RETRY_AFTER.ordinal()).increment();
    }

    @Override
    public void onBudgetExhausted(RecoveryContext context) {
        overload.meter(context.route(), Signal.BUDGET_EXHAUSTED.ordinal()).increment();
    }

    @Override
    public void onInFlightWait(String route, Duration waited, boolean admitted) {
        inFlightWaits.meter(route, admitted ? 1 : 0).record(waited);
        if (!admitted) {
            overload.meter(route, Signal.IN_FLIGHT_REJECTED.ordinal()).increment();
        }
    }

    private static Counter step(MeterRegistry registry, String route, String step, String result) {
        return Counter.builder(STEPS)
                .description("Recovery steps taken after a failure: retries, resends, status checks, cancels")
                .tag("route", route)
                .tag("step", step)
                .tag("result", result)
                .register(registry);
    }

    /** Micrometer's convention: lower-case tag values; {@code COMPLETED_WITHOUT_RESPONSE} is {@code completed_without_response}. */
    static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The steps that have no result tag. */
    private enum PlainStep { RETRY, RESEND }

    /** The values of the {@code signal} tag. */
    private enum Signal { NOT_APPLIED, RETRY_AFTER, BUDGET_EXHAUSTED, IN_FLIGHT_REJECTED }
}
