package dev.abortguard.idempotency;

import dev.abortguard.idempotency.internal.Checks;
import dev.abortguard.idempotency.internal.StoredRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * The default store: records in this JVM's heap, for a single instance (two instances with their
 * own in-memory stores do not see each other's claims; use {@link JdbcIdempotencyStore} or {@link
 * RedisIdempotencyStore} for a cluster). Records are lost on restart.
 *
 * <p>Bounded by a record count and a total of body bytes, so a flood of keys cannot exhaust the
 * heap. A claim reserves {@link IdempotencyStoreOptions#maxBodyBytes()} of the byte budget until it
 * is completed (then the record holds its body's actual length) or released, so a completion never
 * fails for lack of room: the side effects have happened by then, and losing their outcome is what
 * the store exists to prevent. When a claim finds a bound reached, the store first drops every
 * expired record; if that is not enough the claim gets {@link ClaimResult.Full} (the filter answers
 * 503) and nothing changes. Live records are never evicted to make room: that would turn a
 * "completed" into a "never seen".
 *
 * <p>One lock guards the map: every operation is short and in memory.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    /** The default record bound. */
    public static final int DEFAULT_MAX_RECORDS = 100_000;

    /** The default byte bound: 256 MiB. */
    public static final long DEFAULT_MAX_TOTAL_BODY_BYTES = 256L * 1024 * 1024;

    private final IdempotencyStoreOptions options;
    private final int maxRecords;
    private final long maxTotalBodyBytes;
    private final Map<IdempotencyKey, StoredRecord> records = new HashMap<>();
    private long nextToken = 1;
    private long reservedBytes;

    /** A store with the default options and bounds. */
    public InMemoryIdempotencyStore() {
        this(IdempotencyStoreOptions.defaults(), DEFAULT_MAX_RECORDS, DEFAULT_MAX_TOTAL_BODY_BYTES);
    }

    /**
     * A store.
     *
     * @param options retention, body limit, clock
     * @param maxRecords the most records kept at once, at least 1
     * @param maxTotalBodyBytes the most body bytes kept or reserved at once; at least {@code options.maxBodyBytes()}
     */
    public InMemoryIdempotencyStore(IdempotencyStoreOptions options, int maxRecords, long maxTotalBodyBytes) {
        this.options = Objects.requireNonNull(options, "options");
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1: " + maxRecords);
        }
        if (maxTotalBodyBytes < options.maxBodyBytes()) {
            throw new IllegalArgumentException("maxTotalBodyBytes (" + maxTotalBodyBytes
                    + ") must hold at least one body of maxBodyBytes (" + options.maxBodyBytes() + ")");
        }
        this.maxRecords = maxRecords;
        this.maxTotalBodyBytes = maxTotalBodyBytes;
    }

    @Override
    public synchronized ClaimResult claim(IdempotencyKey key, RequestFingerprint fingerprint, Duration lease) {
        long leaseMillis = Checks.claim(key, fingerprint, lease);
        Instant now = Checks.now(options.clock());
        StoredRecord existing = records.get(key);
        StoredRecord.Decision decision = StoredRecord.decideClaim(existing, fingerprint, now);
        if (decision.action() == StoredRecord.Action.ANSWER) {
            return decision.answer();
        }
        if (existing != null) {
            // expired or taken over: its bytes go back to the budget before the new claim reserves its own
            remove(key, existing);
        } else {
            ClaimResult.Full full = roomFor();
            if (full != null) {
                return full;
            }
        }
        Instant leaseUntil = now.plusMillis(leaseMillis);
        long token = nextToken++;
        records.put(key, new StoredRecord(token, leaseUntil, leaseUntil.plus(options.retention()), fingerprint, null));
        reservedBytes += options.maxBodyBytes();
        return new ClaimResult.Claimed(token, leaseUntil, decision.action() == StoredRecord.Action.TAKE_OVER);
    }

    @Override
    public synchronized CompleteResult complete(IdempotencyKey key, long fencingToken, StoredResponse response) {
        Checks.complete(key, response);
        if (response.bodyLength() > options.maxBodyBytes()) {
            return new CompleteResult.TooLarge(response.bodyLength(), options.maxBodyBytes());
        }
        Instant now = Checks.now(options.clock());
        StoredRecord existing = records.get(key);
        if (!StoredRecord.isCurrentClaim(existing, fencingToken, response.fingerprint(), now)) {
            return new CompleteResult.Fenced();
        }
        Instant expiresAt = now.plus(options.retention());
        records.put(key, new StoredRecord(fencingToken, existing.leaseUntil(), expiresAt, existing.fingerprint(), response));
        reservedBytes += response.bodyLength() - options.maxBodyBytes();
        return new CompleteResult.Stored(expiresAt);
    }

    @Override
    public synchronized ReleaseResult release(IdempotencyKey key, long fencingToken) {
        Objects.requireNonNull(key, "key");
        Instant now = Checks.now(options.clock());
        StoredRecord existing = records.get(key);
        if (!StoredRecord.isCurrentClaim(existing, fencingToken, null, now)) {
            return new ReleaseResult.Fenced();
        }
        remove(key, existing);
        return new ReleaseResult.Released();
    }

    @Override
    public synchronized StatusResult status(IdempotencyKey key) {
        Objects.requireNonNull(key, "key");
        return StoredRecord.status(records.get(key), Checks.now(options.clock()));
    }

    @Override
    public synchronized int purgeExpired() {
        Instant now = Checks.now(options.clock());
        int purged = 0;
        for (Iterator<StoredRecord> it = records.values().iterator(); it.hasNext();) {
            StoredRecord record = it.next();
            if (record.expired(now)) {
                reservedBytes -= bytesOf(record);
                it.remove();
                purged++;
            }
        }
        return purged;
    }

    /**
     * How many records are kept now, expired ones not yet purged included.
     *
     * @return the record count
     */
    public synchronized int size() {
        return records.size();
    }

    /** Null when a new record fits, after purging expired records if needed; else why not. */
    private ClaimResult.Full roomFor() {
        if (!fits()) {
            purgeExpired();
        }
        if (records.size() >= maxRecords) {
            return new ClaimResult.Full("maxRecords (" + maxRecords + ")");
        }
        if (reservedBytes + options.maxBodyBytes() > maxTotalBodyBytes) {
            return new ClaimResult.Full("maxTotalBodyBytes (" + maxTotalBodyBytes + ")");
        }
        return null;
    }

    private boolean fits() {
        return records.size() < maxRecords && reservedBytes + options.maxBodyBytes() <= maxTotalBodyBytes;
    }

    private void remove(IdempotencyKey key, StoredRecord record) {
        records.remove(key);
        reservedBytes -= bytesOf(record);
    }

    /** What a record holds of the byte budget: its body once completed, the reservation before. */
    private long bytesOf(StoredRecord record) {
        return record.response() == null ? options.maxBodyBytes() : record.response().bodyLength();
    }
}
