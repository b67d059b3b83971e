package dev.abortguard.client;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Built-in, dependency-free counters: failures by phase, outcomes by kind, retries, resends,
 * status checks and cancels, and the upstream's overload signals (not-applied answers, {@code
 * Retry-After} answers, budget refusals, in-flight waits and rejections). Totals over every route;
 * {@code MicrometerRecoveryMetrics} tags each meter with its route. Register an instance with {@link
 * TimeoutRecoveryPolicy.Builder#addListener(RecoveryListener)} and read it from code or expose it
 * through your own metrics system; use {@code dev.abortguard.micrometer.MicrometerRecoveryMetrics} (module
 * abort-guard-micrometer) to publish the same counts as Micrometer meters.
 *
 * <p>Thread-safe and lock-free ({@link LongAdder}); reads are not a consistent snapshot across
 * counters while requests are in flight.
 */
public final class RecoveryCounters implements RecoveryListener {

    private final Map<FailurePhase, LongAdder> failures = new EnumMap<>(FailurePhase.class);
    private final Map<RecoveryOutcome, LongAdder> outcomes = new EnumMap<>(RecoveryOutcome.class);
    private final LongAdder retries = new LongAdder();
    private final LongAdder resends = new LongAdder();
    private final LongAdder statusChecks = new LongAdder();
    private final LongAdder cancels = new LongAdder();
    private final LongAdder notApplied = new LongAdder();
    private final LongAdder retryAfterAnswers = new LongAdder();
    private final LongAdder budgetExhausted = new LongAdder();
    private final LongAdder inFlightWaits = new LongAdder();
    private final LongAdder inFlightRejections = new LongAdder();
    private final LongAdder inFlightWaitNanos = new LongAdder();

    /** Creates counters that all start at zero. */
    public RecoveryCounters() {
        for (FailurePhase phase : FailurePhase.values()) {
            failures.put(phase, new LongAdder());
        }
        for (RecoveryOutcome outcome : RecoveryOutcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
    }

    @Override
    public void onFailure(RecoveryContext context) {
        failures.get(context.phase()).increment();
    }

    @Override
    public void onRetry(RecoveryContext context, Duration delay) {
        retries.increment();
    }

    @Override
    public void onStatusCheck(RecoveryContext context, StatusDecision decision) {
        statusChecks.increment();
    }

    @Override
    public void onCancel(RecoveryContext context, CancelResult result) {
        cancels.increment();
    }

    @Override
    public void onResend(RecoveryContext context) {
        resends.increment();
    }

    @Override
    public void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {
        outcomes.get(outcome).increment();
    }

    @Override
    public void onNotApplied(RecoveryContext context) {
        notApplied.increment();
    }

    @Override
    public void onRetryAfter(RecoveryContext context, Duration delay) {
        retryAfterAnswers.increment();
    }

    @Override
    public void onBudgetExhausted(RecoveryContext context) {
        budgetExhausted.increment();
    }

    @Override
    public void onInFlightWait(String route, Duration waited, boolean admitted) {
        inFlightWaits.increment();
        inFlightWaitNanos.add(waited.toNanos());
        if (!admitted) {
            inFlightRejections.increment();
        }
    }

    /**
     * Replies that proved an attempt was not processed (the upstream refusing work).
     *
     * @return the count
     */
    public long notApplied() {
        return notApplied.sum();
    }

    /**
     * {@code Retry-After} answers.
     *
     * @return the count
     */
    public long retryAfterAnswers() {
        return retryAfterAnswers.sum();
    }

    /**
     * Recovery steps refused because the route's retry budget was spent.
     *
     * @return the count
     */
    public long budgetExhausted() {
        return budgetExhausted.sum();
    }

    /**
     * Attempts that waited for an in-flight permit (admitted or not).
     *
     * @return the count
     */
    public long inFlightWaits() {
        return inFlightWaits.sum();
    }

    /**
     * Attempts refused unsent because no in-flight permit came within the queue time.
     *
     * @return the count
     */
    public long inFlightRejections() {
        return inFlightRejections.sum();
    }

    /**
     * The total time attempts waited for in-flight permits.
     *
     * @return the sum of the waits
     */
    public Duration inFlightWaitTime() {
        return Duration.ofNanos(inFlightWaitNanos.sum());
    }

    /**
     * Failures of covered requests in the given phase (every attempt counts).
     *
     * @param phase the phase
     * @return the count
     */
    public long failures(FailurePhase phase) {
        return failures.get(phase).sum();
    }

    /**
     * Covered requests that ended with the given outcome.
     *
     * @param outcome the outcome
     * @return the count
     */
    public long outcomes(RecoveryOutcome outcome) {
        return outcomes.get(outcome).sum();
    }

    /**
     * Retries of never-sent failures and {@code Retry-After} answers.
     *
     * @return the count
     */
    public long retries() {
        return retries.sum();
    }

    /**
     * Resends under the same key after an unknown outcome.
     *
     * @return the count
     */
    public long resends() {
        return resends.sum();
    }

    /**
     * Status checks run, including those that threw or timed out.
     *
     * @return the count
     */
    public long statusChecks() {
        return statusChecks.sum();
    }

    /**
     * Cancel actions run, including those that threw or timed out.
     *
     * @return the count
     */
    public long cancels() {
        return cancels.sum();
    }

    @Override
    public String toString() {
        return "RecoveryCounters{failures=" + failures + ", outcomes=" + outcomes + ", retries="
                + retries + ", resends=" + resends + ", statusChecks=" + statusChecks + ", cancels="
                + cancels + ", notApplied=" + notApplied + ", retryAfterAnswers=" + retryAfterAnswers
                + ", budgetExhausted=" + budgetExhausted + ", inFlightWaits=" + inFlightWaits
                + ", inFlightRejections=" + inFlightRejections + "}";
    }
}
