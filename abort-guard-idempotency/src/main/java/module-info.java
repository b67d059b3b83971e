/**
 * abort-guard's idempotency stores: {@link dev.abortguard.idempotency.IdempotencyStore} and its
 * in-memory, JDBC and Redis implementations. {@code dev.abortguard.idempotency.internal} is not
 * exported. Lettuce is optional ({@code requires static}): only {@code RedisIdempotencyStore} needs
 * it, and a module that creates one (its constructors take a {@code RedisClient}) requires Lettuce
 * itself. The JDBC store needs only {@code java.sql} and the driver of your database.
 */
module dev.abortguard.idempotency {
    requires transitive java.sql; // JdbcIdempotencyStore takes a DataSource
    requires org.slf4j;
    // optional; an automatic module with a stable Automatic-Module-Name
    requires static lettuce.core;
    // provided by the servlet container that runs IdempotencyFilter; the stores do not need it
    requires static jakarta.servlet;

    exports dev.abortguard.idempotency;
    exports dev.abortguard.idempotency.servlet;
}
