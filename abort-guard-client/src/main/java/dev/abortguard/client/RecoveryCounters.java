package dev.abortguard.client;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Built-in, dependency-free counters: failures by phase, outcomes by kind, retries, resends,
 * status checks and cancels, and the upstream's overload signals (not-applied answers, {@code
 * Retry-After} answers, budget refusals, in-flight waits and rejections). Totals over every route,
 * and the overload signals per route too ({@link #overload(String)}, {@link #overloadByRoute()});
 * {@code MicrometerRecoveryMetrics} tags each meter with its route. Register an instance with {@link
 * TimeoutRecoveryPolicy.Builder#addListener(RecoveryListener)} and read it from code or expose it
 * through your own metrics system; use {@code dev.abortguard.micrometer.MicrometerRecoveryMetrics} (module
 * abort-guard-micrometer) to publish the same counts as Micrometer meters.
 *
 * <p>Routes are {@link RecoveryContext#route()}'s {@code scheme://host:port}; at most {@value
 * #MAX_ROUTES} are counted apart, further ones (and events without a route) under {@value #OVERFLOW}.
 *
 * <p>Thread-safe and lock-free ({@link LongAdder}); reads are not a consistent snapshot across
 * counters while requests are in flight.
 */
public final class RecoveryCounters implements RecoveryListener {

    /** The most routes whose overload signals are counted apart. */
    public static final int MAX_ROUTES = 256;

    /** The route name under which routes beyond {@link #MAX_ROUTES}, and events without one, are counted. */
    public static final String OVERFLOW = "OTHER";

    private final ConcurrentHashMap<String, RouteSignals> routes = new ConcurrentHashMap<>();
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
        signals(context.route()).notApplied.increment();
    }

    @Override
    public void onRetryAfter(RecoveryContext context, Duration delay) {
        retryAfterAnswers.increment();
        signals(context.route()).retryAfterAnswers.increment();
    }

    @Override
    public void onBudgetExhausted(RecoveryContext context) {
        budgetExhausted.increment();
        signals(context.route()).budgetExhausted.increment();
    }

    @Override
    public void onInFlightWait(String route, Duration waited, boolean admitted) {
        RouteSignals signals = signals(route);
        inFlightWaits.increment();
        signals.inFlightWaits.increment();
        inFlightWaitNanos.add(waited.toNanos());
        signals.inFlightWaitNanos.add(waited.toNanos());
        if (!admitted) {
            inFlightRejections.increment();
            signals.inFlightRejections.increment();
        }
    }

    /**
     * One route's overload signals, read now.
     *
     * @param route {@code scheme://host:port}, as {@link RecoveryContext#route()} names it, or
     *     {@value #OVERFLOW}
     * @return the counts, all zero for a route never seen
     */
    public OverloadCounts overload(String route) {
        RouteSignals signals = route == null ? null : routes.get(route);
        return signals == null ? OverloadCounts.NONE : signals.read();
    }

    /**
     * Every route's overload signals, read now.
     *
     * @return an unmodifiable map sorted by route, at most {@value #MAX_ROUTES} routes plus {@value
     *     #OVERFLOW}
     */
    public Map<String, OverloadCounts> overloadByRoute() {
        Map<String, OverloadCounts> result = new TreeMap<>();
        routes.forEach((route, signals) -> result.put(route, signals.read()));
        return Collections.unmodifiableMap(result);
    }

    /**
     * The overload signals of one route: what {@link #notApplied()}, {@link #retryAfterAnswers()},
     * {@link #budgetExhausted()}, {@link #inFlightWaits()}, {@link #inFlightRejections()} and
     * {@link #inFlightWaitTime()} count in total.
     *
     * @param notApplied replies that proved an attempt was not processed
     * @param retryAfterAnswers {@code Retry-After} answers
     * @param budgetExhausted recovery steps refused because the route's retry budget was spent
     * @param inFlightWaits attempts that waited for an in-flight permit
     * @param inFlightRejections attempts refused unsent for want of a permit
     * @param inFlightWaitTime the total time attempts waited for permits
     */
    public record OverloadCounts(long notApplied, long retryAfterAnswers, long budgetExhausted, long inFlightWaits,
                                 long inFlightRejections, Duration inFlightWaitTime) {

        /** No signal at all. */
        public static final OverloadCounts NONE = new OverloadCounts(0, 0, 0, 0, 0, Duration.ZERO);
    }

    private RouteSignals signals(String route) {
        String name = route == null ? OVERFLOW : route;
        RouteSignals signals = routes.get(name);
        if (signals != null) {
            return signals;
        }
        if (routes.size() >= MAX_ROUTES) {
            name = OVERFLOW;
        }
        return routes.computeIfAbsent(name, n -> new RouteSignals());
    }

    private static final class RouteSignals {
        final LongAdder notApplied = new LongAdder();
        final LongAdder retryAfterAnswers = new LongAdder();
        final LongAdder budgetExhausted = new LongAdder();
        final LongAdder inFlightWaits = new LongAdder();
        final LongAdder inFlightRejections = new LongAdder();
        final LongAdder inFlightWaitNanos = new LongAdder();

        OverloadCounts read() {
            return new OverloadCounts(notApplied.sum(), retryAfterAnswers.sum(), budgetExhausted.sum(),
                    inFlightWaits.sum(), inFlightRejections.sum(), Duration.ofNanos(inFlightWaitNanos.sum()));
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
