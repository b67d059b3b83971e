package dev.abortguard.idempotency.servlet;

import dev.abortguard.idempotency.IdempotencyKey;
import java.time.Instant;
import java.util.Objects;

/**
 * The claim a request runs under, put where its handler can read it: the request attribute {@link
 * #ATTRIBUTE}. A handler may check {@link #tookOver()}: the key's earlier claim ended without an
 * outcome (its instance died, or its handler overran the lease), so part of the earlier run's work
 * may already be done, and a careful handler looks before it does it again.
 *
 * @param key the request's key
 * @param fencingToken the claim's token; only the current claim's outcome is stored
 * @param leaseUntil when the claim's lease ends: a handler still running then may be overtaken
 * @param tookOver true when this claim replaced an earlier, abandoned one
 */
public record IdempotencyClaim(IdempotencyKey key, long fencingToken, Instant leaseUntil, boolean tookOver) {

    /** The request attribute under which the filter puts the claim before the handler runs. */
    public static final String ATTRIBUTE = IdempotencyClaim.class.getName();

    /**
     * Validates.
     *
     * @param key see the record
     * @param fencingToken see the record
     * @param leaseUntil see the record
     * @param tookOver see the record
     */
    public IdempotencyClaim {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
    }
}
