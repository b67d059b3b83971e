package dev.abortguard.idempotency;

import java.time.Instant;
import java.util.Objects;

/** What {@link IdempotencyStore#complete} did with a final response. */
public sealed interface CompleteResult {

    /**
     * The response is stored and replayed to repeats until {@code expiresAt}.
     *
     * @param expiresAt the end of its retention
     */
    record Stored(Instant expiresAt) implements CompleteResult {
        public Stored {
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    /**
     * The token is not the key's current in-progress claim (the lease ended and another request took
     * the key over, the claim was released, completed or purged, or the fingerprint differs): the
     * late writer loses and nothing was written, so the current owner's outcome stands.
     */
    record Fenced() implements CompleteResult {
    }

    /**
     * The body is longer than the store's limit: nothing was written and the claim is still in
     * progress under the same token, so the caller can release it (or store a smaller substitute).
     *
     * @param bodyBytes the refused body's length
     * @param maxBodyBytes the limit
     */
    record TooLarge(int bodyBytes, int maxBodyBytes) implements CompleteResult {
    }
}
