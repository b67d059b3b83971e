package dev.abortguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract on the Redis store with a real redis-server ({@code ABORTGUARD_TEST_REDIS_URI}, from
 * {@code .ci/services start}). Each instance gets its own client, as two application instances would.
 */
class RedisIdempotencyStoreTest extends IdempotencyStoreContract {

    private final String prefix = "abortguard-test:" + UUID.randomUUID() + ":";

    @Override
    protected IdempotencyStore newStore(IdempotencyStoreOptions options) {
        RedisURI uri = RedisURI.create(ExternalServices.redisUri());
        uri.setTimeout(Duration.ofSeconds(10));
        return store(RedisClient.create(uri), options);
    }

    @Override
    protected IdempotencyStore newStoreWithBackendDown(IdempotencyStoreOptions options) {
        RedisURI uri = RedisURI.create("redis://127.0.0.1:" + ExternalServices.closedPort());
        uri.setTimeout(Duration.ofSeconds(5));
        return store(RedisClient.create(uri), options);
    }

    private IdempotencyStore store(RedisClient client, IdempotencyStoreOptions options) {
        closeAfter(client::shutdown);
        return closeAfter(new RedisIdempotencyStore(client, prefix, options));
    }

    @Override
    protected boolean sharesBackend() {
        return true;
    }

    @Test
    void aTimedOutClaimIsTheStoreExceptionAndWasAppliedWholeOrNotAtAll() {
        RedisURI uri = RedisURI.create(ExternalServices.redisUri());
        uri.setTimeout(Duration.ofMillis(300));
        IdempotencyStore impatient = store(RedisClient.create(uri), options);
        // loads the claim script, so that the paused command below is the claim itself
        claimed(impatient.claim(key("warm-up"), fingerprint("{}"), LEASE));
        IdempotencyKey key = key("timeout");

        try (RedisClient pauser = RedisClient.create(ExternalServices.redisUri());
                StatefulRedisConnection<String, String> connection = pauser.connect()) {
            // Redis holds every client's commands for 1.5 s: the claim times out on our side
            connection.sync().clientPause(1500);
            assertThatThrownBy(() -> impatient.claim(key, fingerprint("{}"), LEASE))
                    .isInstanceOf(IdempotencyStoreException.class)
                    .hasCauseInstanceOf(RedisCommandTimeoutException.class);
        }
        // The claim reached Redis before it timed out here, so Redis runs it when the pause ends, in
        // full: the failed claim holds the key, as IdempotencyStoreException documents.
        StatusResult status = await().atMost(Duration.ofSeconds(10)).until(() -> store.status(key), s -> !(s instanceof StatusResult.Unknown));
        assertThat(status).isEqualTo(new StatusResult.InProgress(clock.instant().plus(LEASE)));
    }
}
