package dev.abortguard.idempotency;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.UUID;

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
}
