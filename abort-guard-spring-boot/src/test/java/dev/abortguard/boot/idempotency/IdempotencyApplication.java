package dev.abortguard.boot.idempotency;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A payments service whose only idempotency code is its properties ({@code abortguard.idempotency.*}):
 * the tests add a {@code DataSource} bean or not.
 */
@SpringBootApplication
public class IdempotencyApplication {
}
