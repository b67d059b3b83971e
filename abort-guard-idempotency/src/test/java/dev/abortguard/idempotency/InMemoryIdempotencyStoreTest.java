package dev.abortguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract on the in-memory store, and its bounds. */
class InMemoryIdempotencyStoreTest extends IdempotencyStoreContract {

    @Override
    protected IdempotencyStore newStore(IdempotencyStoreOptions options) {
        return new InMemoryIdempotencyStore(options, 1000, 1000L * MAX_BODY);
    }

    @Override
    protected IdempotencyStore newStoreWithBackendDown(IdempotencyStoreOptions options) {
        return null;
    }

    @Override
    protected boolean sharesBackend() {
        return false;
    }

    @Test
    void whenTheRecordBoundIsReachedExpiredRecordsGoFirstThenClaimsAreRefused() {
        InMemoryIdempotencyStore small = new InMemoryIdempotencyStore(options, 2, 10L * MAX_BODY);
        RequestFingerprint fp = fingerprint("{}");
        ClaimResult.Claimed a = claimed(small.claim(key("a"), fp, LEASE));
        small.complete(key("a"), a.fencingToken(), response(fp, "a"));
        claimed(small.claim(key("b"), fp, LEASE));
        assertThat(small.claim(key("c"), fp, LEASE)).isEqualTo(new ClaimResult.Full("maxRecords (2)"));
        // a repeat of a kept key is still answered when the store is full
        assertThat(small.claim(key("a"), fp, LEASE)).isInstanceOf(ClaimResult.Completed.class);

        clock.advance(RETENTION);
        // a's retention ended: it makes room; b (lease + retention) is still kept
        claimed(small.claim(key("c"), fp, LEASE));
        assertThat(small.size()).isEqualTo(2);
        assertThat(small.status(key("a"))).isEqualTo(new StatusResult.Unknown());
        assertThat(small.status(key("b"))).isInstanceOf(StatusResult.LeaseExpired.class);
    }

    @Test
    void aClaimReservesTheBodyLimitSoACompletionNeverRunsOutOfRoom() {
        InMemoryIdempotencyStore small = new InMemoryIdempotencyStore(options, 100, 2L * MAX_BODY);
        RequestFingerprint fp = fingerprint("{}");
        ClaimResult.Claimed a = claimed(small.claim(key("a"), fp, LEASE));
        ClaimResult.Claimed b = claimed(small.claim(key("b"), fp, LEASE));
        assertThat(small.claim(key("c"), fp, LEASE)).isEqualTo(new ClaimResult.Full("maxTotalBodyBytes (2000)"));
        // both reserved claims complete with full-size bodies
        assertThat(small.complete(key("a"), a.fencingToken(), new StoredResponse(200, List.of(), new byte[MAX_BODY], fp)))
                .isInstanceOf(CompleteResult.Stored.class);
        assertThat(small.complete(key("b"), b.fencingToken(), new StoredResponse(200, List.of(), new byte[10], fp)))
                .isInstanceOf(CompleteResult.Stored.class);
        // b holds 10 bytes now, not its reservation, but a new claim needs a whole MAX_BODY reservation
        assertThat(small.claim(key("c"), fp, LEASE)).isInstanceOf(ClaimResult.Full.class);
        assertThat(small.release(key("b"), b.fencingToken())).isEqualTo(new ReleaseResult.Fenced());

        clock.advance(RETENTION);
        claimed(small.claim(key("c"), fp, Duration.ofSeconds(1)));
    }

    @Test
    void releaseAndTakeOverGiveTheirReservationBack() {
        InMemoryIdempotencyStore small = new InMemoryIdempotencyStore(options, 100, 2L * MAX_BODY);
        RequestFingerprint fp = fingerprint("{}");
        for (int i = 0; i < 10; i++) {
            ClaimResult.Claimed claim = claimed(small.claim(key("r"), fp, LEASE));
            assertThat(small.release(key("r"), claim.fencingToken())).isEqualTo(new ReleaseResult.Released());
        }
        claimed(small.claim(key("t"), fp, LEASE));
        for (int i = 0; i < 10; i++) {
            clock.advance(LEASE);
            assertThat(claimed(small.claim(key("t"), fp, LEASE)).tookOver()).isTrue();
        }
        claimed(small.claim(key("u"), fp, LEASE));
        assertThat(small.claim(key("v"), fp, LEASE)).isInstanceOf(ClaimResult.Full.class);
    }

    @Test
    void boundsMustHoldAtLeastOneRecord() {
        assertThatThrownBy(() -> new InMemoryIdempotencyStore(options, 0, MAX_BODY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InMemoryIdempotencyStore(options, 1, MAX_BODY - 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
