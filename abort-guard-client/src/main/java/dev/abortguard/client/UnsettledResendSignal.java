package dev.abortguard.client;

import java.io.IOException;

/**
 * Internal: a resend under the same key was answered with a status that says nothing about what
 * the earlier attempt did, so the logical request's outcome is still unknown. The response has
 * been released; the engine goes back to the status check (when the mode has one) or ends
 * {@link RecoveryOutcome#UNRESOLVED}. Only reaches a caller as the cause of a {@link
 * TimeoutRecoveryException}.
 *
 * <p>The statuses, and why each leaves the outcome unknown:
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
 */
final class UnsettledResendSignal extends IOException {

    private static final long serialVersionUID = 1L;

    UnsettledResendSignal(int status) {
        super("status " + status + " after a resend: the earlier attempt's outcome is still unknown");
    }

    /** Whether a resend answered with {@code status} leaves the logical request's outcome unknown. */
    static boolean leavesOutcomeUnknown(int status) {
        return status == 408 || status == 409 || status == 425 || status == 429 || status >= 500;
    }
}
