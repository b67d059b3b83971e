package dev.abortguard.idempotency.internal;

import dev.abortguard.idempotency.IdempotencyKey;
import dev.abortguard.idempotency.RequestFingerprint;
import dev.abortguard.idempotency.StoredResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** The argument checks every store makes before it touches its backend, so bad input fails alike everywhere. */
public final class Checks {

    private Checks() {
    }

    /**
     * Checks a claim's arguments.
     *
     * @param key the key
     * @param fingerprint the fingerprint
     * @param lease the lease
     * @return the lease in milliseconds
     */
    public static long claim(IdempotencyKey key, RequestFingerprint fingerprint, Duration lease) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(lease, "lease");
        if (lease.isNegative() || lease.toMillis() < 1) {
            throw new IllegalArgumentException("lease must be at least 1 ms: " + lease);
        }
        return lease.toMillis();
    }

    /**
     * Checks a completion's arguments.
     *
     * @param key the key
     * @param response the response
     */
    public static void complete(IdempotencyKey key, StoredResponse response) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(response, "response");
    }

    /**
     * The clock's time, to the millisecond, as every store keeps times.
     *
     * @param clock the clock
     * @return the time
     */
    public static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
