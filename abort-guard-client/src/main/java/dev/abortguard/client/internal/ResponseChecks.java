package dev.abortguard.client.internal;

import dev.abortguard.client.NotAppliedAnswer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * The checks every covered response head goes through before anyone reads it, the same for the
 * classic and the async client: it is recorded as the attempt's response, then it may be a
 * {@code Retry-After} to honour, a {@link NotAppliedAnswer} (a reply that proves the request was not
 * processed), or, after a resend, a status that leaves the outcome unknown.
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
    private final List<NotAppliedAnswer> notAppliedAnswers;

    public ResponseChecks(Duration maxRetryAfter, Clock clock, List<NotAppliedAnswer> notAppliedAnswers) {
        this.maxRetryAfter = maxRetryAfter;
        this.clock = clock;
        this.notAppliedAnswers = List.copyOf(notAppliedAnswers);
    }

    /**
     * The body a {@link NotAppliedAnswer} may look at: read when the response is a 4xx/5xx with a
     * {@code Content-Length} of at most {@link NotAppliedAnswer#MAX_BODY_BYTES} and a proof is
     * configured, and put back as a byte array entity with the same content type and encoding, so
     * that whoever receives the response reads the same bytes; else {@code null}.
     */
    public byte[] smallErrorBody(ClassicHttpResponse response) throws IOException {
        HttpEntity entity = response.getEntity();
        if (!readsBody(response) || entity == null) {
            return entity == null && readsBody(response) ? new byte[0] : null;
        }
        long length = entity.getContentLength();
        if (length < 0 || length > NotAppliedAnswer.MAX_BODY_BYTES) {
            return null;
        }
        byte[] body = EntityUtils.toByteArray(entity);
        ContentType type = entity.getContentType() == null ? null : ContentType.parseLenient(entity.getContentType());
        response.setEntity(new ByteArrayEntity(body, type, entity.getContentEncoding()));
        return body;
    }

    /** {@link #smallErrorBody(ClassicHttpResponse)} for a fully read async response. */
    public byte[] smallErrorBody(SimpleHttpResponse response) {
        if (!readsBody(response)) {
            return null;
        }
        byte[] body = response.getBodyBytes();
        if (body == null) {
            return new byte[0];
        }
        return body.length <= NotAppliedAnswer.MAX_BODY_BYTES ? body : null;
    }

    private boolean readsBody(HttpResponse response) {
        return !notAppliedAnswers.isEmpty() && response.getCode() >= 400;
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
    public <R> Optional<AttemptResult<R>> screen(HttpResponse response, byte[] smallBody, Attempt attempt, R keep) {
        int status = response.getCode();
        attempt.progress().markResponseHead(status);
        if (attempt.retryAfterAllowed()) {
            // during recovery, a wait that cannot end before the recovery timeout is not one to start
            Optional<Duration> delay = RetryAfter.delay(response, attempt.retryAfterCap(maxRetryAfter), clock);
            if (delay.isPresent()) {
                return Optional.of(new AttemptResult.RetryAfterAnswer<>(status, delay.get(), keep));
            }
            NotAppliedAnswer proof = proof(response, smallBody, attempt.progress());
            if (proof != null) {
                return Optional.of(new AttemptResult.NotAppliedReply<>(status, proof.toString(), keep));
            }
        } else if (status == 429 || status >= 500) {
            // the caller gets this answer, but the operator must see that the upstream refused
            // work, and whether the budget rather than the attempts kept it from being retried
            Optional<Duration> delay = RetryAfter.delay(response, maxRetryAfter, clock);
            if (delay.isPresent()) {
                attempt.progress().markUnhonouredOverloadAnswer(
                        ExchangeProgress.OVERLOAD_RETRY_AFTER, delay.get(), attempt.budgetRefused());
            } else if (proof(response, smallBody, attempt.progress()) != null) {
                attempt.progress().markUnhonouredOverloadAnswer(
                        ExchangeProgress.OVERLOAD_NOT_APPLIED, null, attempt.budgetRefused());
            }
        }
        if (attempt.resend() && leavesOutcomeUnknown(status)) {
            return Optional.of(new AttemptResult.Unsettled<>(status));
        }
        return Optional.empty();
    }

    /**
     * A failed attempt whose failure itself proves that the request was not processed (an HTTP/2
     * {@code REFUSED_STREAM}, when {@link NotAppliedAnswer#refusedStream()} is configured), else
     * empty: the failure is then classified by what reached the wire, as any other.
     */
    public <R> Optional<AttemptResult<R>> refusal(IOException failure) {
        if (BuiltInNotAppliedAnswers.refusesStream(failure)
                && notAppliedAnswers.contains(BuiltInNotAppliedAnswers.REFUSED_STREAM)) {
            return Optional.of(new AttemptResult.RefusedUnprocessed<>(failure, BuiltInNotAppliedAnswers.REFUSED_STREAM.toString()));
        }
        return Optional.empty();
    }

    /** The first configured proof that {@code response} was not processed, or {@code null}. */
    private NotAppliedAnswer proof(HttpResponse response, byte[] smallBody, ExchangeProgress progress) {
        for (NotAppliedAnswer answer : notAppliedAnswers) {
            if (answer == BuiltInNotAppliedAnswers.REFUSED_STREAM) {
                continue; // a failure, not a response: see refusal(IOException)
            }
            if (answer == BuiltInNotAppliedAnswers.EARLY_REFUSAL) {
                if (progress.requestBodyCutShort() && BuiltInNotAppliedAnswers.refusesEarly(response)) {
                    return answer;
                }
                continue;
            }
            try {
                if (answer.proves(response, smallBody)) {
                    return answer;
                }
            } catch (RuntimeException e) {
                // a proof that cannot decide proves nothing: the response stays what it is
            }
        }
        return null;
    }

    /** Whether a resend answered with {@code status} leaves the logical request's outcome unknown. */
    public static boolean leavesOutcomeUnknown(int status) {
        return status == 408 || status == 409 || status == 425 || status == 429 || status >= 500;
    }
}
