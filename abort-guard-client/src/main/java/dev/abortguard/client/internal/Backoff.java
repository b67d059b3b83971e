package dev.abortguard.client.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: {@code initial * 2^n}, capped at {@code max}, then spread by
 * ±{@code jitter} so that many callers that failed together do not come back together.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private final double jitter;

    public Backoff(Duration initial, Duration max, double jitter) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.jitter = jitter;
    }

    /** The delay before retry number {@code index} (0 for the first retry). */
    public Duration delay(int index) {
        double spread = jitter == 0 ? 1.0 : 1.0 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (base(index) * spread));
    }

    /**
     * The wait before retry number {@code index} when the server asked for {@code asked} ({@code
     * Retry-After}): at least the unjittered {@link #delay} of that retry, so that {@code
     * Retry-After: 0} or a date in the past cannot make callers hammer the server in a tight loop,
     * and spread by the jitter upwards only, so that callers told the same time do not all come back
     * at once and none comes back sooner than asked.
     */
    public Duration atLeast(Duration asked, int index) {
        long floor = Math.max(asked.toNanos(), base(index));
        double spread = jitter == 0 ? 1.0 : 1.0 + jitter * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (floor * spread)); // the cast saturates at Long.MAX_VALUE
    }

    private long base(int index) {
        long base = initialNanos;
        for (int i = 0; i < index && base < maxNanos; i++) {
            base = base > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : base * 2;
        }
        return Math.min(base, maxNanos);
    }

    @Override
    public String toString() {
        return Duration.ofNanos(initialNanos) + ".." + Duration.ofNanos(maxNanos) + " ±" + jitter;
    }
}
