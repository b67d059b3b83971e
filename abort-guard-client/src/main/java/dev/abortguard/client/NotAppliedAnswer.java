package dev.abortguard.client;

import dev.abortguard.client.internal.BuiltInNotAppliedAnswers;
import java.util.List;
import org.apache.hc.core5.http.HttpResponse;

/**
 * A reply that proves the server did not process the request, so that sending it again is safe for
 * any method, a {@code POST} included (under the same idempotency key, with a repeatable entity,
 * after the retry backoff, within the retry budget).
 *
 * <p>Why a proof and not "any 503": a plain 503 can come from a proxy after the upstream did the
 * work, or from a handler that failed half-way. Only a reply whose very form says "refused before
 * reading the request" proves nothing happened; everything else stays a received response that
 * reaches the caller as it is. The built-in proofs ({@link #defaults()}):
 *
 * <ul>
 *   <li>{@link #fasthttpConcurrencyLimit()}: Go fasthttp's answer to a connection accepted beyond
 *       its {@code Server.Concurrency} limit, written before it reads a byte of the request;
 *   <li>{@link #finagleNack()}: Finagle's retryable nack ({@code finagle-http-nack} header), sent
 *       by a server that rejected the request without processing it;
 *   <li>{@link #earlyRefusal()}: a 4xx/5xx with {@code Connection: close} that arrived before the
 *       request body was fully sent;
 *   <li>{@link #refusedStream()}: an HTTP/2 stream reset with {@code REFUSED_STREAM} (the async
 *       client over HTTP/2).
 * </ul>
 *
 * <p>The policy reads the body only of a 4xx/5xx response with a {@code Content-Length} of at most
 * {@value #MAX_BODY_BYTES} bytes, and only when a proof is configured; a response that is not a proof
 * reaches the caller with the same bytes. An answer that throws counts as "no proof".
 */
@FunctionalInterface
public interface NotAppliedAnswer {

    /** The largest body handed to {@link #proves}; larger bodies are not read for it ({@code null}). */
    int MAX_BODY_BYTES = 1024;

    /**
     * Whether {@code head} (and {@code body}) prove that the request was not processed.
     *
     * @param head the response head
     * @param body the whole body when the response is a 4xx/5xx with a {@code Content-Length} of at
     *     most {@value #MAX_BODY_BYTES} bytes, else {@code null}; empty when there is none
     * @return true when the reply proves the request was not processed
     */
    boolean proves(HttpResponse head, byte[] body);

    /**
     * Go fasthttp's refusal of a connection beyond {@code Server.Concurrency}: {@code 503},
     * {@code Connection: close}, {@code Content-Type: text/plain} and exactly the body {@value
     * #FASTHTTP_CONCURRENCY_LIMIT_TEXT}. fasthttp writes it on accept, before reading the request,
     * then closes the connection (its {@code server.go}, {@code writeFastError}). The client may see
     * a reset instead, when the close races the request it is still writing: a reset proves
     * nothing and stays an unknown outcome.
     *
     * @return the proof
     */
    static NotAppliedAnswer fasthttpConcurrencyLimit() {
        return BuiltInNotAppliedAnswers.FASTHTTP;
    }

    /** The body of fasthttp's refusal (see {@link #fasthttpConcurrencyLimit()}). */
    String FASTHTTP_CONCURRENCY_LIMIT_TEXT =
            "The connection cannot be served because Server.Concurrency limit exceeded";

    /**
     * Finagle's retryable nack: a response carrying the {@code finagle-http-nack} header, which a
     * Finagle server sends when it rejected the request without processing it (its {@code
     * HttpNackFilter}). The non-retryable nack ({@code finagle-http-nonretryable-nack}) is not a
     * proof here: the server asks not to be sent the request again.
     *
     * @return the proof
     */
    static NotAppliedAnswer finagleNack() {
        return BuiltInNotAppliedAnswers.FINAGLE;
    }

    /**
     * A 4xx/5xx answer with {@code Connection: close} that arrived while the request body was still
     * being sent, so that HttpClient stopped sending it: a server that refuses before it has read the
     * request, and closes, did not process it (a load shedder, a concurrency limit, a size limit).
     * Decided on the wire, so it needs a pool built through {@code
     * TimeoutRecoveryPolicy.instrument(PoolingHttpClientConnectionManagerBuilder)} (which turns on
     * HttpCore's response-out-of-order detection) and a body of known length; its {@link #proves}
     * alone always answers false. A 2xx that came early proves nothing.
     *
     * @return the proof
     */
    static NotAppliedAnswer earlyRefusal() {
        return BuiltInNotAppliedAnswers.EARLY_REFUSAL;
    }

    /**
     * An HTTP/2 stream the server reset with the error code {@code REFUSED_STREAM}: RFC 9113 section
     * 8.7 says such a stream was not processed, so the request is sent again under the same key (a
     * new stream, after the retry backoff), for any method. Decided on HttpCore's {@code
     * H2StreamResetException} by its type and {@link org.apache.hc.core5.http2.H2Error#REFUSED_STREAM
     * error code}, never its message; every other reset code ({@code INTERNAL_ERROR}, {@code CANCEL},
     * ...) stays an unknown outcome. Without this proof in the list a refused stream is an unknown
     * outcome too. Its {@link #proves} alone always answers false (there is no response).
     *
     * <p>HttpCore 5.4 reports a {@code GOAWAY} whose error code is {@code REFUSED_STREAM} with the
     * same exception and code for every open stream of the connection (its {@code
     * AbstractH2StreamMultiplexer}), so the two cannot be told apart from the failure: RFC 9113 gives
     * {@code REFUSED_STREAM} its meaning for a stream reset, and a server that closed a connection
     * with that code would have its streams at or below the {@code GOAWAY}'s last stream id, which it
     * may have processed, taken for refused (the same idempotency key then guards the resend). A
     * {@code GOAWAY} with {@code NO_ERROR} fails the streams it did not take with {@code
     * RequestNotExecutedException} instead, a never-sent failure.
     *
     * <p>Use it with a builder built through {@code
     * TimeoutRecoveryPolicy.instrument(HttpAsyncClientBuilder)}: HttpClient's default retry strategy
     * resends a refused stream of an idempotent method ({@code PUT}, {@code DELETE}) itself, and the
     * policy would then see only what that resend got.
     *
     * @return the proof
     */
    static NotAppliedAnswer refusedStream() {
        return BuiltInNotAppliedAnswers.REFUSED_STREAM;
    }

    /**
     * The built-in proofs: {@link #fasthttpConcurrencyLimit()}, {@link #finagleNack()}, {@link
     * #earlyRefusal()} and {@link #refusedStream()}.
     *
     * @return an immutable list
     */
    static List<NotAppliedAnswer> defaults() {
        return List.of(fasthttpConcurrencyLimit(), finagleNack(), earlyRefusal(), refusedStream());
    }
}
