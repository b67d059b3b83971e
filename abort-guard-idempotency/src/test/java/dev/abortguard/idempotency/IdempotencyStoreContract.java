package dev.abortguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link IdempotencyStore}, run against every store: each store's test class extends
 * this and says how to make a store on its backend. Keys are unique per test and per run, so the
 * tests can share a real server with earlier runs.
 */
abstract class IdempotencyStoreContract {

    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration RETENTION = Duration.ofHours(1);
    static final int MAX_BODY = 1000;
    static final int THREADS = 16;

    protected final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    protected final IdempotencyStoreOptions options = new IdempotencyStoreOptions(RETENTION, MAX_BODY, clock);
    private final String run = UUID.randomUUID().toString();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    protected IdempotencyStore store;

    /** A store on this test's backend; called again for a second application instance sharing it. */
    protected abstract IdempotencyStore newStore(IdempotencyStoreOptions options) throws Exception;

    /**
     * A store whose backend is down (stopped, closed, nothing listening), or null when the store has
     * no backend that can fail (in-memory).
     */
    protected abstract IdempotencyStore newStoreWithBackendDown(IdempotencyStoreOptions options) throws Exception;

    /** Whether two stores from {@link #newStore} share one backend (false for in-memory). */
    protected abstract boolean sharesBackend();

    /** Closes a store, a client or a data source after the test. */
    protected <T extends AutoCloseable> T closeAfter(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    @BeforeEach
    void createStore() throws Exception {
        store = newStore(options);
    }

    @AfterEach
    void closeAll() throws Exception {
        // the reverse of the order they were made in: a store before its client
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    protected IdempotencyKey key(String name) {
        return IdempotencyKey.of(name + "-" + run);
    }

    static RequestFingerprint fingerprint(String body) {
        return RequestFingerprint.of("POST", "/payments", body.getBytes(StandardCharsets.UTF_8));
    }

    static StoredResponse response(RequestFingerprint fingerprint, String body) {
        return new StoredResponse(201, List.of(new StoredResponse.Header("Content-Type", "application/json")),
                body.getBytes(StandardCharsets.UTF_8), fingerprint);
    }

    static ClaimResult.Claimed claimed(ClaimResult result) {
        assertThat(result).isInstanceOf(ClaimResult.Claimed.class);
        return (ClaimResult.Claimed) result;
    }

    @Test
    void aFirstClaimOwnsTheKeyAndARepeatIsInProgressUntilTheLeaseEnds() {
        IdempotencyKey key = key("first");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        ClaimResult.Claimed first = claimed(store.claim(key, fp, LEASE));
        assertThat(first.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(first.fencingToken()).isPositive();
        assertThat(first.tookOver()).isFalse();

        clock.advance(Duration.ofSeconds(29));
        assertThat(store.claim(key, fp, LEASE)).isEqualTo(new ClaimResult.InProgress(first.leaseUntil()));
        assertThat(store.status(key)).isEqualTo(new StatusResult.InProgress(first.leaseUntil()));
    }

    @Test
    void ofConcurrentClaimsForAFreeKeyExactlyOneIsClaimed() throws Exception {
        assertExactlyOneClaimed(key("race"), List.of(store));
    }

    @Test
    void twoInstancesSharingTheBackendClaimOnceAndSeeEachOthersRecords() throws Exception {
        assumeThat(sharesBackend()).as("an in-memory store is one instance's own").isTrue();
        IdempotencyStore other = newStore(options);
        IdempotencyKey key = key("cluster");
        ClaimResult.Claimed winner = assertExactlyOneClaimed(key, List.of(store, other));
        RequestFingerprint fp = fingerprint("{\"race\":true}");

        StoredResponse response = response(fp, "{\"id\":\"p-1\"}");
        // whichever instance won, it completes on one instance and the other replays
        assertThat(store.complete(key, winner.fencingToken(), response)).isInstanceOf(CompleteResult.Stored.class);
        assertThat(other.claim(key, fp, LEASE)).isEqualTo(new ClaimResult.Completed(response));
        assertThat(other.status(key)).isEqualTo(new StatusResult.Completed(response));
    }

    @Test
    void ofConcurrentTakeoversOfAnExpiredLeaseExactlyOneWins() throws Exception {
        IdempotencyKey key = key("takeover-race");
        IdempotencyStore other = sharesBackend() ? newStore(options) : store;
        ClaimResult.Claimed abandoned = claimed(store.claim(key, fingerprint("{\"race\":true}"), LEASE));
        clock.advance(LEASE);
        ClaimResult.Claimed winner = assertExactlyOneClaimed(key, List.of(store, other));
        assertThat(winner.tookOver()).isTrue();
        assertThat(winner.fencingToken()).isGreaterThan(abandoned.fencingToken());
        assertThat(store.complete(key, abandoned.fencingToken(), response(fingerprint("{\"race\":true}"), "late")))
                .isEqualTo(new CompleteResult.Fenced());
    }

    private ClaimResult.Claimed assertExactlyOneClaimed(IdempotencyKey key, List<IdempotencyStore> stores) throws Exception {
        RequestFingerprint fp = fingerprint("{\"race\":true}");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch ready = new CountDownLatch(THREADS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ClaimResult>> results = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                IdempotencyStore s = stores.get(i % stores.size());
                Callable<ClaimResult> claim = () -> {
                    ready.countDown();
                    go.await();
                    return s.claim(key, fp, LEASE);
                };
                results.add(pool.submit(claim));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<ClaimResult> outcomes = new ArrayList<>();
            for (Future<ClaimResult> result : results) {
                outcomes.add(result.get(60, TimeUnit.SECONDS));
            }
            List<ClaimResult> winners = outcomes.stream().filter(r -> r instanceof ClaimResult.Claimed).toList();
            assertThat(winners).hasSize(1);
            ClaimResult.Claimed winner = (ClaimResult.Claimed) winners.get(0);
            assertThat(outcomes).filteredOn(r -> !(r instanceof ClaimResult.Claimed))
                    .hasSize(THREADS - 1)
                    .allMatch(r -> r.equals(new ClaimResult.InProgress(winner.leaseUntil())));
            return winner;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCompletedResponseIsReplayedByteForByte() {
        IdempotencyKey key = key("replay");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        List<StoredResponse.Header> headers = List.of(
                new StoredResponse.Header("Set-Cookie", "a=1"),
                new StoredResponse.Header("Content-Type", "application/octet-stream"),
                new StoredResponse.Header("set-cookie", "b=2; Path=/"),
                new StoredResponse.Header("X-Empty", ""),
                new StoredResponse.Header("X-Odd", "12:3: x 4:y \"quoted\" \\ \t tab"));
        StoredResponse response = new StoredResponse(200, headers, body, fp);
        ClaimResult.Claimed claim = claimed(store.claim(key, fp, LEASE));
        CompleteResult stored = store.complete(key, claim.fencingToken(), response);
        assertThat(stored).isEqualTo(new CompleteResult.Stored(clock.instant().plus(RETENTION)));

        clock.advance(Duration.ofMinutes(5));
        ClaimResult repeat = store.claim(key, fp, LEASE);
        assertThat(repeat).isInstanceOf(ClaimResult.Completed.class);
        StoredResponse replayed = ((ClaimResult.Completed) repeat).response();
        assertThat(replayed.status()).isEqualTo(200);
        assertThat(replayed.headers()).containsExactlyElementsOf(headers);
        assertThat(replayed.body()).containsExactly(body);
        assertThat(replayed).isEqualTo(response);
        assertThat(store.status(key)).isEqualTo(new StatusResult.Completed(response));
    }

    @Test
    void anEmptyBodyWithoutHeadersIsReplayedAsSuch() {
        IdempotencyKey key = key("empty");
        RequestFingerprint fp = RequestFingerprint.of("DELETE", "/payments/1", new byte[0]);
        StoredResponse response = new StoredResponse(204, List.of(), new byte[0], fp);
        ClaimResult.Claimed claim = claimed(store.claim(key, fp, LEASE));
        assertThat(store.complete(key, claim.fencingToken(), response)).isInstanceOf(CompleteResult.Stored.class);
        assertThat(store.claim(key, fp, LEASE)).isEqualTo(new ClaimResult.Completed(response));
    }

    @Test
    void anotherFingerprintWithTheSameKeyIsAMismatchWhileInProgressAndAfterCompletion() {
        IdempotencyKey key = key("mismatch");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        RequestFingerprint otherBody = fingerprint("{\"amount\":999}");
        RequestFingerprint otherPath = RequestFingerprint.of("POST", "/refunds", "{\"amount\":100}".getBytes(StandardCharsets.UTF_8));
        RequestFingerprint otherMethod = RequestFingerprint.of("PUT", "/payments", "{\"amount\":100}".getBytes(StandardCharsets.UTF_8));
        ClaimResult.Claimed claim = claimed(store.claim(key, fp, LEASE));
        for (RequestFingerprint other : List.of(otherBody, otherPath, otherMethod)) {
            assertThat(store.claim(key, other, LEASE)).isEqualTo(new ClaimResult.FingerprintMismatch(fp));
        }
        // a completion must carry the claimed fingerprint
        assertThat(store.complete(key, claim.fencingToken(), response(otherBody, "x"))).isEqualTo(new CompleteResult.Fenced());

        StoredResponse response = response(fp, "{\"id\":\"p-1\"}");
        assertThat(store.complete(key, claim.fencingToken(), response)).isInstanceOf(CompleteResult.Stored.class);
        assertThat(store.claim(key, otherBody, LEASE)).isEqualTo(new ClaimResult.FingerprintMismatch(fp));
        assertThat(store.claim(key, fp, LEASE)).isEqualTo(new ClaimResult.Completed(response));
    }

    @Test
    void afterTheLeaseEndsARepeatTakesOverWithAHigherFencingToken() {
        IdempotencyKey key = key("takeover");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        ClaimResult.Claimed first = claimed(store.claim(key, fp, LEASE));
        clock.advance(LEASE);
        assertThat(store.status(key)).isEqualTo(new StatusResult.LeaseExpired(first.leaseUntil()));
        // the key stays bound to its fingerprint while the record is kept
        assertThat(store.claim(key, fingerprint("other"), LEASE)).isEqualTo(new ClaimResult.FingerprintMismatch(fp));

        ClaimResult.Claimed second = claimed(store.claim(key, fp, LEASE));
        assertThat(second.tookOver()).isTrue();
        assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
        assertThat(second.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(store.claim(key, fp, LEASE)).isEqualTo(new ClaimResult.InProgress(second.leaseUntil()));
    }

    @Test
    void aLateWriterIsFencedAndTheNewOwnersResponseIsKept() {
        IdempotencyKey key = key("late");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        ClaimResult.Claimed old = claimed(store.claim(key, fp, LEASE));
        clock.advance(LEASE.plusSeconds(1));
        ClaimResult.Claimed current = claimed(store.claim(key, fp, LEASE));

        StoredResponse mine = response(fp, "{\"id\":\"new-owner\"}");
        assertThat(store.complete(key, current.fencingToken(), mine)).isInstanceOf(CompleteResult.Stored.class);
        assertThat(store.complete(key, old.fencingToken(), response(fp, "{\"id\":\"late\"}"))).isEqualTo(new CompleteResult.Fenced());
        assertThat(store.release(key, old.fencingToken())).isEqualTo(new ReleaseResult.Fenced());
        assertThat(store.status(key)).isEqualTo(new StatusResult.Completed(mine));
    }

    @Test
    void aLateWriterFinishingBeforeTheNewOwnerIsFencedToo() {
        IdempotencyKey key = key("late-first");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        ClaimResult.Claimed old = claimed(store.claim(key, fp, LEASE));
        clock.advance(LEASE);
        ClaimResult.Claimed current = claimed(store.claim(key, fp, LEASE));

        assertThat(store.complete(key, old.fencingToken(), response(fp, "late"))).isEqualTo(new CompleteResult.Fenced());
        assertThat(store.release(key, old.fencingToken())).isEqualTo(new ReleaseResult.Fenced());
        assertThat(store.status(key)).isEqualTo(new StatusResult.InProgress(current.leaseUntil()));
        StoredResponse mine = response(fp, "mine");
        assertThat(store.complete(key, current.fencingToken(), mine)).isInstanceOf(CompleteResult.Stored.class);
        assertThat(store.status(key)).isEqualTo(new StatusResult.Completed(mine));
    }

    @Test
    void anOwnerWhoseLeaseEndedMayStillCompleteWhenNobodyTookOver() {
        IdempotencyKey key = key("overran");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        ClaimResult.Claimed claim = claimed(store.claim(key, fp, LEASE));
        clock.advance(LEASE.multipliedBy(2));
        StoredResponse response = response(fp, "done late");
        assertThat(store.complete(key, claim.fencingToken(), response)).isInstanceOf(CompleteResult.Stored.class);
        assertThat(store.claim(key, fp, LEASE)).isEqualTo(new ClaimResult.Completed(response));
    }

    @Test
    void releaseFreesTheKeyOnlyForTheCurrentClaim() {
        IdempotencyKey key = key("release");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        ClaimResult.Claimed claim = claimed(store.claim(key, fp, LEASE));
        assertThat(store.release(key, claim.fencingToken() + 1000)).isEqualTo(new ReleaseResult.Fenced());
        assertThat(store.status(key)).isEqualTo(new StatusResult.InProgress(claim.leaseUntil()));

        assertThat(store.release(key, claim.fencingToken())).isEqualTo(new ReleaseResult.Released());
        assertThat(store.status(key)).isEqualTo(new StatusResult.Unknown());
        assertThat(store.release(key, claim.fencingToken())).isEqualTo(new ReleaseResult.Fenced());
        assertThat(store.complete(key, claim.fencingToken(), response(fp, "after release"))).isEqualTo(new CompleteResult.Fenced());

        // released, the key is free for any request, and the new claim's token is higher
        ClaimResult.Claimed again = claimed(store.claim(key, fingerprint("another body"), LEASE));
        assertThat(again.tookOver()).isFalse();
        assertThat(again.fencingToken()).isGreaterThan(claim.fencingToken());
        StoredResponse response = response(fingerprint("another body"), "ok");
        assertThat(store.complete(key, again.fencingToken(), response)).isInstanceOf(CompleteResult.Stored.class);
        // a completed record is not released
        assertThat(store.release(key, again.fencingToken())).isEqualTo(new ReleaseResult.Fenced());
        assertThat(store.status(key)).isEqualTo(new StatusResult.Completed(response));
    }

    @Test
    void completingAKeyNeverClaimedIsFencedAndStoresNothing() {
        IdempotencyKey key = key("never");
        assertThat(store.complete(key, 1, response(fingerprint("x"), "x"))).isEqualTo(new CompleteResult.Fenced());
        assertThat(store.release(key, 1)).isEqualTo(new ReleaseResult.Fenced());
        assertThat(store.status(key)).isEqualTo(new StatusResult.Unknown());
    }

    @Test
    void aCompletedRecordIsKeptForTheRetentionThenUnknown() {
        IdempotencyKey key = key("retention");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        ClaimResult.Claimed claim = claimed(store.claim(key, fp, LEASE));
        StoredResponse response = response(fp, "ok");
        CompleteResult.Stored stored = (CompleteResult.Stored) store.complete(key, claim.fencingToken(), response);
        assertThat(stored.expiresAt()).isEqualTo(clock.instant().plus(RETENTION));

        clock.advance(RETENTION.minusMillis(1));
        assertThat(store.status(key)).isEqualTo(new StatusResult.Completed(response));
        clock.advance(Duration.ofMillis(1));
        assertThat(store.status(key)).isEqualTo(new StatusResult.Unknown());

        // gone: any request may claim the key again, as a fresh claim
        ClaimResult.Claimed fresh = claimed(store.claim(key, fingerprint("new body"), LEASE));
        assertThat(fresh.tookOver()).isFalse();
        assertThat(fresh.fencingToken()).isGreaterThan(claim.fencingToken());
    }

    @Test
    void anAbandonedClaimIsKeptForTheRetentionAfterItsLeaseThenUnknown() {
        IdempotencyKey key = key("abandoned");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        ClaimResult.Claimed claim = claimed(store.claim(key, fp, LEASE));
        clock.advance(LEASE.plus(RETENTION).minusMillis(1));
        assertThat(store.status(key)).isEqualTo(new StatusResult.LeaseExpired(claim.leaseUntil()));
        clock.advance(Duration.ofMillis(1));
        assertThat(store.status(key)).isEqualTo(new StatusResult.Unknown());
        assertThat(store.complete(key, claim.fencingToken(), response(fp, "too late"))).isEqualTo(new CompleteResult.Fenced());
        assertThat(store.release(key, claim.fencingToken())).isEqualTo(new ReleaseResult.Fenced());
        assertThat(claimed(store.claim(key, fingerprint("other"), LEASE)).tookOver()).isFalse();
    }

    @Test
    void purgingDropsOnlyExpiredRecords() {
        IdempotencyKey old = key("purge-old");
        IdempotencyKey live = key("purge-live");
        RequestFingerprint fp = fingerprint("{}");
        ClaimResult.Claimed oldClaim = claimed(store.claim(old, fp, LEASE));
        store.complete(old, oldClaim.fencingToken(), response(fp, "old"));
        clock.advance(RETENTION);
        ClaimResult.Claimed liveClaim = claimed(store.claim(live, fp, LEASE));

        assertThat(store.purgeExpired()).isGreaterThanOrEqualTo(0);
        assertThat(store.status(old)).isEqualTo(new StatusResult.Unknown());
        assertThat(store.status(live)).isEqualTo(new StatusResult.InProgress(liveClaim.leaseUntil()));
    }

    @Test
    void aBodyOverTheLimitIsRefusedAndNothingIsStored() {
        IdempotencyKey key = key("large");
        RequestFingerprint fp = fingerprint("{\"amount\":100}");
        ClaimResult.Claimed claim = claimed(store.claim(key, fp, LEASE));
        StoredResponse tooLarge = new StoredResponse(200, List.of(), new byte[MAX_BODY + 1], fp);
        assertThat(store.complete(key, claim.fencingToken(), tooLarge)).isEqualTo(new CompleteResult.TooLarge(MAX_BODY + 1, MAX_BODY));
        // still the caller's claim: it may release it, or store something that fits
        assertThat(store.status(key)).isEqualTo(new StatusResult.InProgress(claim.leaseUntil()));
        StoredResponse atLimit = new StoredResponse(200, List.of(), new byte[MAX_BODY], fp);
        assertThat(store.complete(key, claim.fencingToken(), atLimit)).isInstanceOf(CompleteResult.Stored.class);
        assertThat(store.claim(key, fp, LEASE)).isEqualTo(new ClaimResult.Completed(atLimit));
    }

    @Test
    void fencingTokensGrowAcrossKeys() {
        RequestFingerprint fp = fingerprint("{}");
        long previous = 0;
        for (int i = 0; i < 5; i++) {
            ClaimResult.Claimed claim = claimed(store.claim(key("tokens-" + i), fp, LEASE));
            assertThat(claim.fencingToken()).isGreaterThan(previous);
            previous = claim.fencingToken();
        }
    }

    @Test
    void badArgumentsFailBeforeTheBackendIsTouched() {
        IdempotencyKey key = key("args");
        RequestFingerprint fp = fingerprint("{}");
        assertThatNullPointerException().isThrownBy(() -> store.claim(null, fp, LEASE)).withMessage("key");
        assertThatNullPointerException().isThrownBy(() -> store.claim(key, null, LEASE)).withMessage("fingerprint");
        assertThatNullPointerException().isThrownBy(() -> store.claim(key, fp, null)).withMessage("lease");
        assertThatNullPointerException().isThrownBy(() -> store.complete(null, 1, response(fp, "x"))).withMessage("key");
        assertThatNullPointerException().isThrownBy(() -> store.complete(key, 1, null)).withMessage("response");
        assertThatNullPointerException().isThrownBy(() -> store.release(null, 1)).withMessage("key");
        assertThatNullPointerException().isThrownBy(() -> store.status(null)).withMessage("key");
        assertThatThrownBy(() -> store.claim(key, fp, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.claim(key, fp, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.status(key)).isEqualTo(new StatusResult.Unknown());
    }

    @Test
    void withTheBackendDownEveryOperationThrowsTheStoreExceptionAndNothingIsWritten() throws Exception {
        IdempotencyStore down = newStoreWithBackendDown(options);
        assumeThat(down).as("an in-memory store has no backend to lose").isNotNull();
        IdempotencyKey key = key("outage");
        RequestFingerprint fp = fingerprint("{}");
        assertThatThrownBy(() -> down.claim(key, fp, LEASE)).isInstanceOf(IdempotencyStoreException.class).hasCauseInstanceOf(Exception.class);
        assertThatThrownBy(() -> down.complete(key, 1, response(fp, "x"))).isInstanceOf(IdempotencyStoreException.class)
                .hasCauseInstanceOf(Exception.class);
        assertThatThrownBy(() -> down.release(key, 1)).isInstanceOf(IdempotencyStoreException.class).hasCauseInstanceOf(Exception.class);
        assertThatThrownBy(() -> down.status(key)).isInstanceOf(IdempotencyStoreException.class).hasCauseInstanceOf(Exception.class);
        // a body over the limit is refused before the backend is asked, outage or not
        assertThat(down.complete(key, 1, new StoredResponse(200, List.of(), new byte[MAX_BODY + 1], fp)))
                .isInstanceOf(CompleteResult.TooLarge.class);
        assertThat(store.status(key)).isEqualTo(new StatusResult.Unknown());
    }
}
