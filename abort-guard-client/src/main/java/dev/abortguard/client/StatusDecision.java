package dev.abortguard.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;

/**
 * The answer of a {@link StatusCheck}: what the server says happened to the request behind an
 * idempotency key.
 *
 * <p>Immutable. Create one with the static factories; {@link #completed(ClassicHttpResponse)} is
 * the only one that carries a response, because only a completed operation has a result worth
 * handing to the caller (typically the body of the server's status endpoint).
 */
public final class StatusDecision {

    /** The kinds of answer a status check can give. */
    public enum Kind {
        /** The server applied the request. */
        COMPLETED,
        /** The server never applied the request: resending the same payload under the same key is
         * safe. */
        NOT_APPLIED,
        /** The server is still processing the request: ask again after a backoff. */
        PENDING,
        /** The status could not be established (status API down, unknown key, ...). Treated like
         * {@link #PENDING} until the recovery timeout. */
        UNKNOWN
    }

    /**
     * The largest response body {@link #completed(ClassicHttpResponse)} takes: 8 MiB. A status
     * endpoint's answer is small; one over this is refused rather than held in memory.
     */
    public static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private static final StatusDecision COMPLETED = new StatusDecision(Kind.COMPLETED, null);
    private static final StatusDecision NOT_APPLIED = new StatusDecision(Kind.NOT_APPLIED, null);
    private static final StatusDecision PENDING = new StatusDecision(Kind.PENDING, null);
    private static final StatusDecision UNKNOWN = new StatusDecision(Kind.UNKNOWN, null);

    private final Kind kind;
    private final ClassicHttpResponse response;

    private StatusDecision(Kind kind, ClassicHttpResponse response) {
        this.kind = kind;
        this.response = response;
    }

    /**
     * The server applied the request, but the check has no response to hand over. The caller then
     * gets a {@link TimeoutRecoveryException} with outcome {@link
     * RecoveryOutcome#COMPLETED_WITHOUT_RESPONSE}: the policy never invents a response body.
     *
     * @return the decision
     */
    public static StatusDecision completed() {
        return COMPLETED;
    }

    /**
     * The server applied the request, and {@code response} is what the caller should receive in
     * place of the lost one (for a response handler, the handler processes it).
     *
     * <p>Call it where the response is at hand, typically inside the status client's response
     * handler: {@code response -> StatusDecision.completed(response)}. A body that is not repeatable
     * is read here, whole, and put back as a byte array with the same content type and encoding,
     * because the status client closes its response when the handler returns, before the policy
     * hands it over. (So {@code response} itself now carries the buffered body.)
     *
     * @param response the response to hand to the caller
     * @return the decision
     * @throws IllegalArgumentException when the body is longer than {@link #MAX_BODY_BYTES}; from a
     *     status check this counts as {@link Kind#UNKNOWN}, like any exception it throws
     * @throws UncheckedIOException when reading the body fails; counts as {@link Kind#UNKNOWN} too
     */
    public static StatusDecision completed(ClassicHttpResponse response) {
        Objects.requireNonNull(response, "response");
        HttpEntity entity = response.getEntity();
        if (entity != null && !entity.isRepeatable()) {
            try (InputStream in = entity.getContent()) {
                byte[] body = in == null ? new byte[0] : in.readNBytes(MAX_BODY_BYTES + 1);
                if (body.length > MAX_BODY_BYTES) {
                    throw new IllegalArgumentException("status-check response body over " + MAX_BODY_BYTES
                            + " bytes: hand over a smaller response");
                }
                ContentType type = entity.getContentType() == null ? null : ContentType.parseLenient(entity.getContentType());
                response.setEntity(new ByteArrayEntity(body, type, entity.getContentEncoding()));
            } catch (IOException e) {
                throw new UncheckedIOException("status-check response body unreadable", e);
            }
        }
        return new StatusDecision(Kind.COMPLETED, response);
    }

    /**
     * The server never applied the request; resend it under the same key.
     *
     * @return the decision
     */
    public static StatusDecision notApplied() {
        return NOT_APPLIED;
    }

    /**
     * The server is still working on it; check again after a backoff.
     *
     * @return the decision
     */
    public static StatusDecision pending() {
        return PENDING;
    }

    /**
     * The status cannot be established right now.
     *
     * @return the decision
     */
    public static StatusDecision unknown() {
        return UNKNOWN;
    }

    /**
     * The kind of answer.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The response that a {@link Kind#COMPLETED} decision hands to the caller, if any.
     *
     * @return the response, or empty
     */
    public Optional<ClassicHttpResponse> response() {
        return Optional.ofNullable(response);
    }

    @Override
    public String toString() {
        return response == null ? kind.name() : kind + " with response " + response.getCode();
    }
}
