package dev.abortguard.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every store shares: how long records are kept, how large a stored body may be, and
 * the clock that decides when leases and retentions end. The clock is a setting (not read from the
 * backend) so that every instance of a cluster, and every store, decides by the same rule, and tests
 * move time instead of sleeping; the instances' clocks should be synchronised (NTP) to well within a
 * lease.
 *
 * @param retention how long a record is kept: a completed one after its completion, an in-progress one
 *        after its lease ends. A status check or repeat later than this gets "unknown"; keep it longer
 *        than the longest a client may take to recover (retries, status checks), which is what makes a
 *        404 mean "never seen"
 * @param maxBodyBytes the largest body {@link IdempotencyStore#complete} stores; a larger one is refused
 * @param clock the clock; times are kept to the millisecond
 */
public record IdempotencyStoreOptions(Duration retention, int maxBodyBytes, Clock clock) {

    /** The default retention: 24 hours, as Stripe keeps keys. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

    /** The default body limit: 1 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    /**
     * Validates.
     *
     * @param retention see the record
     * @param maxBodyBytes see the record
     * @param clock see the record
     * @throws NullPointerException when retention or clock is null
     * @throws IllegalArgumentException when retention is under a millisecond or maxBodyBytes is negative
     */
    public IdempotencyStoreOptions {
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(clock, "clock");
        if (retention.toMillis() < 1) {
            throw new IllegalArgumentException("retention must be at least 1 ms: " + retention);
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative: " + maxBodyBytes);
        }
    }

    /**
     * The defaults: {@link #DEFAULT_RETENTION}, {@link #DEFAULT_MAX_BODY_BYTES}, the UTC system clock.
     *
     * @return the default options
     */
    public static IdempotencyStoreOptions defaults() {
        return new IdempotencyStoreOptions(DEFAULT_RETENTION, DEFAULT_MAX_BODY_BYTES, Clock.systemUTC());
    }

    /**
     * These options with another retention.
     *
     * @param retention the retention
     * @return new options
     */
    public IdempotencyStoreOptions withRetention(Duration retention) {
        return new IdempotencyStoreOptions(retention, maxBodyBytes, clock);
    }

    /**
     * These options with another body limit.
     *
     * @param maxBodyBytes the limit
     * @return new options
     */
    public IdempotencyStoreOptions withMaxBodyBytes(int maxBodyBytes) {
        return new IdempotencyStoreOptions(retention, maxBodyBytes, clock);
    }

    /**
     * These options with another clock.
     *
     * @param clock the clock
     * @return new options
     */
    public IdempotencyStoreOptions withClock(Clock clock) {
        return new IdempotencyStoreOptions(retention, maxBodyBytes, clock);
    }
}
