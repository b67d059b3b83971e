package dev.abortguard.client.internal;

import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;

/**
 * One logical request as the {@link RecoveryEngine} sees it, independent of the client flavour
 * (classic with or without a response handler, async). The engine decides what to do; the call
 * knows how to send and how to turn a supplied response into its result type.
 *
 * @param <R> what the caller receives
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public interface RecoveryCall<R> {

    String method();

    /** The request URI as sent. */
    URI uri();

    /** The request headers as sent, including the idempotency key. */
    List<Header> headers();

    String idempotencyKey();

    /** The route this request goes to, among {@code routes}: its budget, permits and Retry-After wait. */
    Route route(Routes routes);

    /** Whether the payload can be sent again (no entity, or a repeatable one). */
    boolean repeatable();

    /** Whether the caller itself canceled the request; recovery then does not act on its behalf. */
    boolean canceledByCaller();

    /**
     * Sends one attempt and says how it ended. Records what happened on the wire in the attempt's
     * progress. Every ending is a value: an answer, a transport failure classified by what reached
     * the wire, an unchecked exception the wire does not explain, and, from the {@link
     * ResponseChecks} (after releasing the response), a {@code Retry-After} to honour when the
     * attempt {@linkplain Attempt#retryAfterAllowed allows it} or, on a {@linkplain Attempt#resend
     * resend}, a status that leaves the outcome unknown — before any response handler sees it. Only
     * an {@link Error} is thrown.
     */
    AttemptResult<R> attempt(Attempt attempt);

    /** Turns the response supplied by a COMPLETED status check into what the caller receives. */
    R adopt(ClassicHttpResponse supplied) throws IOException;

    default RecoveryContext context(int attempt, Duration elapsed, FailurePhase phase, Throwable cause, String route,
            List<Duration> sentAt) {
        return new RecoveryContext(
                method(), uri(), headers(), idempotencyKey(), attempt, elapsed, phase, cause, route, sentAt);
    }

    default String requestLine() {
        return method() + " " + uri();
    }
}
