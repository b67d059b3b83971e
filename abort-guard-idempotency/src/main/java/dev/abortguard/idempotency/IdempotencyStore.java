package dev.abortguard.idempotency;

import java.time.Duration;

/**
 * Where the server half of the idempotency protocol keeps its records: one per key, first an
 * in-progress claim (fingerprint, fencing token, lease), then the final response.
 *
 * <p>The rules every implementation follows, checked by one shared contract test suite:
 * <ul>
 *   <li><b>Atomic claims.</b> Of any number of concurrent claims for a free key, from any number of
 *       application instances sharing the backend, exactly one is {@link ClaimResult.Claimed}.</li>
 *   <li><b>Leases and fencing.</b> A claim holds the key until its lease ends. After that a repeat
 *       with the same fingerprint takes the key over with a higher fencing token; the old owner's
 *       {@link #complete} and {@link #release} then get {@code Fenced} and change nothing, so a
 *       handler that overran its lease can never overwrite the outcome of the one that took over.
 *       Until someone takes over, the old owner may still complete: its outcome is real, and keeping
 *       it is better than losing it. Choose a lease longer than the handler's longest run.</li>
 *   <li><b>Binding.</b> A key is bound to the fingerprint of the request that first claimed it until
 *       its record's retention ends (or it is released); another fingerprint gets
 *       {@link ClaimResult.FingerprintMismatch}.</li>
 *   <li><b>Replay.</b> A completed record answers every repeat with the stored response, byte for
 *       byte: status, headers in order, body.</li>
 *   <li><b>Retention.</b> A completed record is kept for {@link IdempotencyStoreOptions#retention()}
 *       after completion, an in-progress one for the retention after its lease ends; after that it
 *       is gone ({@link StatusResult.Unknown}) and may be purged. Together with the claim being
 *       recorded before the handler runs, this is what makes "unknown" trustworthy: within the
 *       retention, a key that is unknown was never claimed (or was released, so nothing was kept).</li>
 *   <li><b>Limits.</b> Keys follow {@link IdempotencyKey}; a body over {@link
 *       IdempotencyStoreOptions#maxBodyBytes()} is refused with {@link CompleteResult.TooLarge} and
 *       nothing is stored. Null arguments throw {@link NullPointerException} naming the parameter.</li>
 *   <li><b>Outages.</b> When the backend fails, every method throws {@link
 *       IdempotencyStoreException} and nothing is half-written: each operation is one transaction,
 *       one atomic script or one compare-and-set.</li>
 * </ul>
 *
 * <p>Times come from the store's {@link IdempotencyStoreOptions#clock()}, to the millisecond.
 * Implementations are thread-safe.
 */
public interface IdempotencyStore {

    /**
     * Claims {@code key} for a request with {@code fingerprint}, or says why not.
     *
     * @param key the key
     * @param fingerprint the request's fingerprint
     * @param lease how long the claim holds the key (at least 1 ms)
     * @return the decision
     * @throws IdempotencyStoreException when the backend fails; nothing was claimed
     */
    ClaimResult claim(IdempotencyKey key, RequestFingerprint fingerprint, Duration lease);

    /**
     * Stores the final response of the claim {@code fencingToken}, if that is still the key's current
     * in-progress claim and {@code response}'s fingerprint is the one claimed.
     *
     * @param key the key
     * @param fencingToken the token {@link ClaimResult.Claimed} gave
     * @param response the response to replay
     * @return {@code Stored}, {@code Fenced} (nothing written) or {@code TooLarge} (nothing written)
     * @throws IdempotencyStoreException when the backend fails; nothing was written
     */
    CompleteResult complete(IdempotencyKey key, long fencingToken, StoredResponse response);

    /**
     * Gives the key back: removes the in-progress claim {@code fencingToken} so that the next request
     * with the key runs the handler again. For a handler failure the caller chose not to store.
     *
     * @param key the key
     * @param fencingToken the token {@link ClaimResult.Claimed} gave
     * @return {@code Released}, or {@code Fenced} when the token is not the current in-progress claim
     * @throws IdempotencyStoreException when the backend fails; nothing was removed
     */
    ReleaseResult release(IdempotencyKey key, long fencingToken);

    /**
     * What the store knows about {@code key}; changes nothing.
     *
     * @param key the key
     * @return unknown, in progress, lease expired, or completed
     * @throws IdempotencyStoreException when the backend fails
     */
    StatusResult status(IdempotencyKey key);

    /**
     * Deletes the records whose retention has ended. Reads already ignore them; this only frees
     * space. A store whose backend expires records itself (Redis) returns 0.
     *
     * @return how many records were deleted
     * @throws IdempotencyStoreException when the backend fails (a store with nothing to purge does not ask it)
     */
    int purgeExpired();
}
