package dev.abortguard.client;

import dev.abortguard.client.internal.LogSafe;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The caller-visible end of a recovery that produced no response: the operation was canceled, is
 * known not to have been applied, is known to have completed without a response to hand over,
 * or stays unknown.
 *
 * <p>It extends {@link IOException} so that it travels through {@code
 * CloseableHttpClient.execute} unchanged and surfaces in Spring's {@code RestClient} / {@code
 * RestTemplate} as a {@code ResourceAccessException}, like any other transport failure. It
 * carries what an operator needs to reconcile by hand: the request line, the idempotency key, the
 * phase of the last failure, the outcome and the immutable decision trail. The last failure is
 * the {@linkplain #getCause() cause}. Its message quotes the request line, the key and the trail
 * cleaned and bounded as the client's log lines do (see {@link
 * UnresolvedOutcomeHandler#logWarning()}); the accessors return them exactly.
 */
public final class TimeoutRecoveryException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The request line. */
    private final String requestLine;
    /** The idempotency key. */
    private final String idempotencyKey;
    /** The phase of the last failure. */
    private final FailurePhase phase;
    /** How the recovery ended. */
    private final RecoveryOutcome outcome;
    /** The decision trail; not serialized. */
    private final transient List<RecoveryStep> trail;

    /**
     * Creates the exception. Normally only the policy creates it; the constructor is public so that
     * tests and custom adapters can build one to feed an {@link UnresolvedOutcomeHandler}.
     *
     * @param requestLine e.g. {@code POST http://localhost/payments}
     * @param idempotencyKey the key of the logical request
     * @param phase the phase of the last failure
     * @param outcome how the recovery ended
     * @param trail the decision trail, copied
     * @param cause the last failure
     */
    public TimeoutRecoveryException(
            String requestLine,
            String idempotencyKey,
            FailurePhase phase,
            RecoveryOutcome outcome,
            List<RecoveryStep> trail,
            Throwable cause) {
        super(message(requestLine, idempotencyKey, phase, outcome, trail), cause);
        this.requestLine = Objects.requireNonNull(requestLine, "requestLine");
        this.idempotencyKey = Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        this.phase = Objects.requireNonNull(phase, "phase");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.trail = List.copyOf(trail);
    }

    private static String message(
            String requestLine,
            String key,
            FailurePhase phase,
            RecoveryOutcome outcome,
            List<RecoveryStep> trail) {
        // The message ends up in the caller's logs: cleaned and bounded like the library's own lines.
        return LogSafe.clean(requestLine) + " [key " + LogSafe.clean(key) + "]: " + outcome + " after " + phase
                + "; trail " + LogSafe.trail(trail);
    }

    /**
     * The request line, e.g. {@code POST http://localhost/payments}.
     *
     * @return the request line
     */
    public String requestLine() {
        return requestLine;
    }

    /**
     * The idempotency key under which the request was sent; the handle for reconciliation.
     *
     * @return the key
     */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /**
     * The phase of the last failure.
     *
     * @return the phase
     */
    public FailurePhase phase() {
        return phase;
    }

    /**
     * How the recovery ended. {@link RecoveryOutcome#UNRESOLVED} means nobody knows whether the
     * server acted; the other values are known outcomes without a response.
     *
     * @return the outcome
     */
    public RecoveryOutcome outcome() {
        return outcome;
    }

    /**
     * Every step the policy took, oldest first. Empty after deserialization.
     *
     * @return the immutable trail
     */
    public List<RecoveryStep> trail() {
        return trail == null ? List.of() : trail;
    }
}
