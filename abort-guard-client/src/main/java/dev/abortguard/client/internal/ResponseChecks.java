package dev.abortguard.client.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.hc.core5.http.HttpResponse;

/**
 * The checks every covered response head goes through before anyone reads it, the same for the
 * classic and the async client: it is recorded as the attempt's response, then it may be a
 * {@code Retry-After} to honour, or, after a resend, a status that leaves the outcome unknown.
 *
 * <p>The statuses that leave the outcome of a resend unknown, and why:
 *
 * <ul>
 *   <li>{@code 409 Conflict}: the IETF {@code Idempotency-Key} draft's "a request with this key is
 *       still being processed" — the first attempt is in flight, not settled;
 *   <li>{@code 425 Too Early}: the server declined to process the resend yet;
 *   <li>{@code 408 Request Timeout} and {@code 429 Too Many Requests}: the server refused the resend
 *       without acting on it, exactly like a 503, so the first attempt is as unknown as before;
 *   <li>every {@code 5xx}: the resend failed on the server, possibly half-way, and says nothing
 *       reliable about the first attempt.
 * </ul>
 *
 * <p>Every other status is the answer: a 2xx is the (deduplicated or new) result, and any other 4xx
 * — including the draft's {@code 422} "key reused with a different payload" — is the server's
 * verdict on this request, which the caller must see.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class ResponseChecks {

    private final Duration maxRetryAfter;
    private final Clock clock;

    public ResponseChecks(Duration maxRetryAfter, Clock clock) {
        this.maxRetryAfter = maxRetryAfter;
        this.clock = clock;
    }

    /**
     * Records {@code response} as the attempt's answer and says whether it is not the answer after
     * all. When the result is present the caller of this method releases the response (or, for a
     * fully read one passed as {@code keep}, keeps it in the result).
     *
     * @param keep the response to hand over should a {@code Retry-After} not be honoured later, or
     *     {@code null}
     * @return empty when the response is what the caller receives
     */
    public <R> Optional<AttemptResult<R>> screen(HttpResponse response, Attempt attempt, R keep) {
        int status = response.getCode();
        attempt.progress().markResponseHead(status);
        if (attempt.retryAfterAllowed()) {
            Optional<Duration> delay = RetryAfter.delay(response, maxRetryAfter, clock);
            if (delay.isPresent()) {
                return Optional.of(new AttemptResult.RetryAfterAnswer<>(status, delay.get(), keep));
            }
        }
        if (attempt.resend() && leavesOutcomeUnknown(status)) {
            return Optional.of(new AttemptResult.Unsettled<>(status));
        }
        return Optional.empty();
    }

    /** Whether a resend answered with {@code status} leaves the logical request's outcome unknown. */
    public static boolean leavesOutcomeUnknown(int status) {
        return status == 408 || status == 409 || status == 425 || status == 429 || status >= 500;
    }
}
