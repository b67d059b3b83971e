package dev.abortguard.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: {@code initial * 2^n}, capped at {@code max}, then spread by
 * ±{@code jitter} so that many callers that failed together do not come back together.
 */
final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private final double jitter;

    Backoff(Duration initial, Duration max, double jitter) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.jitter = jitter;
    }

    /** The delay before retry number {@code index} (0 for the first retry). */
    Duration delay(int index) {
        long base = initialNanos;
        for (int i = 0; i < index && base < maxNanos; i++) {
            base = base > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : base * 2;
        }
        base = Math.min(base, maxNanos);
        double spread = jitter == 0 ? 1.0 : 1.0 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (base * spread));
    }

    @Override
    public String toString() {
        return Duration.ofNanos(initialNanos) + ".." + Duration.ofNanos(maxNanos) + " ±" + jitter;
    }
}
