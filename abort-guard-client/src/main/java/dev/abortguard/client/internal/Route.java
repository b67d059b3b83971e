package dev.abortguard.client.internal;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every logical request to one upstream (scheme, host and port) shares: the retry budget, the
 * in-flight permits, and the time before which nobody sends again because the upstream said {@code
 * Retry-After}. One instance per route per wrapped client, from {@link Routes}.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class Route {

    private final String name;
    private final RetryBudget budget;
    private final Semaphore permits;
    private final int limit;
    /** {@link System#nanoTime()} before which no retry or resend of this route is sent; 0 for none. */
    private final AtomicLong notBefore = new AtomicLong();

    Route(String name, RetryBudget budget, int maxInFlight) {
        this.name = name;
        this.budget = budget;
        this.limit = maxInFlight;
        // fair: a caller that has waited longest goes first, so a steady stream of newcomers cannot
        // starve it until its queue time runs out
        this.permits = maxInFlight > 0 ? new Semaphore(maxInFlight, true) : null;
    }

    /** The route's name for messages and meters: {@code scheme://host:port}, or the overflow route. */
    public String name() {
        return name;
    }

    /** The in-flight limit, 0 for none. */
    public int limit() {
        return limit;
    }

    /** A first attempt goes out: it earns its share of recovery steps. */
    public void firstAttempt(long nowNanos) {
        if (budget != null) {
            budget.deposit(nowNanos);
        }
    }

    /** Whether a recovery step would be allowed now. */
    public boolean budgetAllows(long nowNanos) {
        return budget == null || budget.hasToken(nowNanos);
    }

    /** Takes one recovery step from the budget; false when it is spent. */
    public boolean spend(long nowNanos) {
        return budget == null || budget.tryWithdraw(nowNanos);
    }

    /**
     * Takes an in-flight permit, waiting at most {@code maxWait}; true at once when there is no
     * limit. The caller releases it with {@link #release} when the attempt has ended.
     */
    public boolean admit(Duration maxWait) throws InterruptedException {
        if (permits == null) {
            return true;
        }
        return permits.tryAcquire() || permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Takes an in-flight permit if one is free now. */
    public boolean admitNow() {
        return permits == null || permits.tryAcquire();
    }

    public void release() {
        if (permits != null) {
            permits.release();
        }
    }

    /** Attempts in flight now (0 without a limit: not counted). */
    public int inFlight() {
        return permits == null ? 0 : limit - permits.availablePermits();
    }

    /** The upstream asked every caller to wait {@code delay} from {@code nowNanos}; the later time wins. */
    public void notBefore(long nowNanos, Duration delay) {
        long until = nowNanos + Math.min(delay.toNanos(), Long.MAX_VALUE / 4);
        notBefore.accumulateAndGet(until, (current, asked) -> current - asked >= 0 ? current : asked);
    }

    /** How long a retry or resend must still wait for the route's {@code Retry-After}; zero when none. */
    public long nanosUntilAllowed(long nowNanos) {
        long until = notBefore.get();
        return until == 0 ? 0 : Math.max(0, until - nowNanos);
    }
}
