/**
 * The server half of the idempotency protocol, first part: stores that claim {@code Idempotency-Key}s
 * with a lease and a fencing token and keep the final response for replay ({@link
 * dev.abortguard.idempotency.IdempotencyStore}, with in-memory, JDBC and Redis implementations). The
 * servlet filter and the status endpoint that use them come next.
 */
package dev.abortguard.idempotency;
