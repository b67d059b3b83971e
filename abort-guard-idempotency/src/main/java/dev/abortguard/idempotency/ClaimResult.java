package dev.abortguard.idempotency;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link IdempotencyStore#claim} decided for a request carrying a key. Each outcome is a value
 * the filter maps to one answer, so none of them is an exception.
 */
public sealed interface ClaimResult {

    /**
     * The caller owns the key until {@code leaseUntil} and runs the handler; it finishes with {@link
     * IdempotencyStore#complete} or {@link IdempotencyStore#release} under {@code fencingToken}.
     *
     * <p>Fencing tokens only grow, across all keys of a store's backend and across purges, so a
     * token is never issued twice: a late writer holding an old one can never be mistaken for the
     * current owner.
     *
     * @param fencingToken the token that identifies this claim
     * @param leaseUntil when the lease ends; after it a repeat of the request may take the key over
     * @param tookOver true when this claim replaced an earlier one whose lease ended without a
     *        completion: that earlier handler may have run (part of) its side effects, and may still be running
     */
    record Claimed(long fencingToken, Instant leaseUntil, boolean tookOver) implements ClaimResult {
        public Claimed {
            Objects.requireNonNull(leaseUntil, "leaseUntil");
        }
    }

    /**
     * Another request with this key and the same fingerprint holds a lease: answer 409 with a
     * {@code Retry-After} from {@code leaseUntil}.
     *
     * @param leaseUntil when the current lease ends
     */
    record InProgress(Instant leaseUntil) implements ClaimResult {
        public InProgress {
            Objects.requireNonNull(leaseUntil, "leaseUntil");
        }
    }

    /**
     * The request was answered before: replay {@code response}.
     *
     * @param response the stored response
     */
    record Completed(StoredResponse response) implements ClaimResult {
        public Completed {
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * The key is bound to another request (in progress, abandoned or completed, until its retention
     * ends): answer 422; nothing changed.
     *
     * @param stored the fingerprint the key is bound to
     */
    record FingerprintMismatch(RequestFingerprint stored) implements ClaimResult {
        public FingerprintMismatch {
            Objects.requireNonNull(stored, "stored");
        }
    }

    /**
     * A bounded store ({@link InMemoryIdempotencyStore}) has no room for another record after
     * dropping the expired ones: answer 503; nothing changed. A store never evicts a live record to
     * make room, because a dropped record would turn a trustworthy "completed" into "never seen".
     *
     * @param limit which bound was reached
     */
    record Full(String limit) implements ClaimResult {
        public Full {
            Objects.requireNonNull(limit, "limit");
        }
    }
}
