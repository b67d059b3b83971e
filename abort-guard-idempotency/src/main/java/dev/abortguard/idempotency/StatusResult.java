package dev.abortguard.idempotency;

import java.time.Instant;
import java.util.Objects;

/**
 * What a store knows about a key, for the status endpoint a client's recovery asks. Only {@link
 * Unknown} means "no request with this key is recorded", and it is trustworthy within the rules
 * {@link IdempotencyStore} documents (a claim is recorded before the handler runs; records are kept
 * for the retention).
 */
public sealed interface StatusResult {

    /** No record: the key was never claimed, was released, or its record's retention ended. */
    record Unknown() implements StatusResult {
    }

    /**
     * A request holds the key; answer 202 with {@code leaseUntil} as the expected end.
     *
     * @param leaseUntil when its lease ends
     */
    record InProgress(Instant leaseUntil) implements StatusResult {
        public InProgress {
            Objects.requireNonNull(leaseUntil, "leaseUntil");
        }
    }

    /**
     * A request claimed the key but its lease ended without a completion or a release (the instance
     * died, or the handler overran the lease). Nothing is stored; a repeat of the same request takes
     * the key over, and the abandoned handler, if it is still running, can no longer store anything.
     *
     * @param leaseUntil when the lease ended
     */
    record LeaseExpired(Instant leaseUntil) implements StatusResult {
        public LeaseExpired {
            Objects.requireNonNull(leaseUntil, "leaseUntil");
        }
    }

    /**
     * The request was answered: the stored response.
     *
     * @param response the response
     */
    record Completed(StoredResponse response) implements StatusResult {
        public Completed {
            Objects.requireNonNull(response, "response");
        }
    }
}
