package dev.abortguard.boot;

import dev.abortguard.boot.idempotency.IdempotencyApplication;
import dev.abortguard.idempotency.IdempotencyStore;
import dev.abortguard.idempotency.InMemoryIdempotencyStore;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** No {@code DataSource}, no Redis: the in-memory store. */
@SpringBootTest(classes = IdempotencyApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {BootIdempotencyContract.PROPERTIES_ROUTES, BootIdempotencyContract.PROPERTIES_STATUS})
class BootIdempotencyInMemoryTest extends BootIdempotencyContract {

    @Override
    Class<? extends IdempotencyStore> expectedStore() {
        return InMemoryIdempotencyStore.class;
    }
}
