package dev.abortguard.idempotency.internal;

import dev.abortguard.idempotency.ClaimResult;
import dev.abortguard.idempotency.RequestFingerprint;
import dev.abortguard.idempotency.StatusResult;
import dev.abortguard.idempotency.StoredResponse;
import java.time.Instant;

/**
 * One key's record as the stores that decide in Java (in-memory, JDBC) read it, and the decisions
 * they share, so both follow the rules of {@code IdempotencyStore} by the same code. The Redis
 * store's Lua scripts follow the same steps; the contract suite checks all three.
 *
 * @param fencingToken the current claim's token
 * @param leaseUntil the current claim's lease end
 * @param expiresAt the end of the record's retention
 * @param fingerprint the fingerprint the key is bound to
 * @param response the stored response, or {@code null} while in progress
 */
public record StoredRecord(long fencingToken, Instant leaseUntil, Instant expiresAt, RequestFingerprint fingerprint,
        StoredResponse response) {

    /** What a claim does with the record it found. */
    public enum Action {
        /** No live record: insert (or overwrite an expired one). */
        CLAIM,
        /** A live in-progress record whose lease ended, same fingerprint: replace it with a new token. */
        TAKE_OVER,
        /** Answer with {@link Decision#answer()}; write nothing. */
        ANSWER
    }

    /**
     * A claim's decision.
     *
     * @param action what to do
     * @param answer the answer for {@link Action#ANSWER}, else {@code null}
     */
    public record Decision(Action action, ClaimResult answer) {
    }

    /**
     * Whether the record's retention has ended at {@code now}: then it counts as absent.
     *
     * @param now the time
     * @return true when expired
     */
    public boolean expired(Instant now) {
        return !expiresAt.isAfter(now);
    }

    /**
     * Decides a claim for {@code fingerprint} against {@code existing} (null when there is none).
     *
     * @param existing the key's record, or null
     * @param fingerprint the claiming request's fingerprint
     * @param now the time
     * @return the decision
     */
    public static Decision decideClaim(StoredRecord existing, RequestFingerprint fingerprint, Instant now) {
        if (existing == null || existing.expired(now)) {
            return new Decision(Action.CLAIM, null);
        }
        if (!existing.fingerprint.equals(fingerprint)) {
            return new Decision(Action.ANSWER, new ClaimResult.FingerprintMismatch(existing.fingerprint));
        }
        if (existing.response != null) {
            return new Decision(Action.ANSWER, new ClaimResult.Completed(existing.response));
        }
        if (existing.leaseUntil.isAfter(now)) {
            return new Decision(Action.ANSWER, new ClaimResult.InProgress(existing.leaseUntil));
        }
        return new Decision(Action.TAKE_OVER, null);
    }

    /**
     * Whether {@code complete} or {@code release} under {@code token} may change this record.
     *
     * @param existing the key's record, or null
     * @param token the caller's fencing token
     * @param fingerprint the caller's fingerprint, or null to not compare (release)
     * @param now the time
     * @return true when the caller holds the current in-progress claim
     */
    public static boolean isCurrentClaim(StoredRecord existing, long token, RequestFingerprint fingerprint, Instant now) {
        return existing != null && !existing.expired(now) && existing.response == null && existing.fencingToken == token
                && (fingerprint == null || existing.fingerprint.equals(fingerprint));
    }

    /**
     * The status of {@code existing} (null when there is none).
     *
     * @param existing the key's record, or null
     * @param now the time
     * @return the status
     */
    public static StatusResult status(StoredRecord existing, Instant now) {
        if (existing == null || existing.expired(now)) {
            return new StatusResult.Unknown();
        }
        if (existing.response != null) {
            return new StatusResult.Completed(existing.response);
        }
        return existing.leaseUntil.isAfter(now)
                ? new StatusResult.InProgress(existing.leaseUntil)
                : new StatusResult.LeaseExpired(existing.leaseUntil);
    }
}
