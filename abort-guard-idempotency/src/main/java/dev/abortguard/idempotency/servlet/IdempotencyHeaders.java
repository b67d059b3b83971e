package dev.abortguard.idempotency.servlet;

/**
 * The header names of abort-guard's idempotency protocol, shared by {@link IdempotencyFilter} and
 * abort-guard-client's {@code IdempotencyStatusCheck}. The two ends agree on these names and on
 * nothing else, so a client of another stack can speak the protocol from this list:
 *
 * <pre>
 * request   Idempotency-Key: "k-1"                  the key (quoted string or bare token)
 * replay    Idempotent-Replayed: true               this response is the stored one, not a new run
 * 409       Idempotency-Status: in-progress, Idempotency-Lease-Until, Retry-After   a request with the key runs
 * status    GET {statusPath}, Idempotency-Key: "k-1"
 *   200     Idempotency-Status: completed, Idempotency-Response-Status: 201, the stored headers and body
 *   202     Idempotency-Status: in-progress, Idempotency-Lease-Until: 2026-12-04T19:00:00Z, Retry-After
 *   409     Idempotency-Status: lease-expired       claimed, no outcome stored, the lease ended
 *   404     Idempotency-Status: unknown             never claimed within the retention (or released)
 * </pre>
 *
 * <p>The {@code Idempotency-Status} header is what makes a status answer trustworthy: a 404 without
 * it (a wrong URL, a proxy, an endpoint that is not deployed) proves nothing, and a client must not
 * take it for "never happened".
 */
public final class IdempotencyHeaders {

    /** The request header carrying the key; the IETF httpapi draft's name and the default. */
    public static final String KEY = "Idempotency-Key";

    /** Set to {@code true} on a response replayed from the store (Stripe's name). */
    public static final String REPLAYED = "Idempotent-Replayed";

    /** On every status-endpoint answer: {@code completed}, {@code in-progress}, {@code lease-expired} or {@code unknown}. */
    public static final String STATUS = "Idempotency-Status";

    /** On a {@code completed} status answer: the stored response's own status code. */
    public static final String RESPONSE_STATUS = "Idempotency-Response-Status";

    /** On an {@code in-progress} or {@code lease-expired} status answer: when the lease ends or ended, ISO-8601 UTC. */
    public static final String LEASE_UNTIL = "Idempotency-Lease-Until";

    private IdempotencyHeaders() {
    }
}
