/**
 * abort-guard's idempotency stores: {@link dev.abortguard.idempotency.IdempotencyStore} and its
 * in-memory, JDBC and Redis implementations. {@code dev.abortguard.idempotency.internal} is not
 * exported. Lettuce is optional: only {@code RedisIdempotencyStore} needs it (its constructors take a
 * {@code RedisClient}, hence transitive for whoever uses it); the JDBC store needs only
 * {@code java.sql} and the driver of your database.
 */
module dev.abortguard.idempotency {
    requires transitive java.sql; // JdbcIdempotencyStore takes a DataSource
    requires org.slf4j;
    // optional; an automatic module with a stable Automatic-Module-Name
    requires static lettuce.core;

    exports dev.abortguard.idempotency;
}
