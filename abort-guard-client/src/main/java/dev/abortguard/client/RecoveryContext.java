package dev.abortguard.client;

import dev.abortguard.client.internal.LogSafe;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.hc.core5.http.Header;

/**
 * Everything a callback needs to know about a request in recovery. Immutable; handed to {@link
 * StatusCheck}, {@link CancelAction} and every {@link RecoveryListener} method.
 *
 * <p>{@link #toString()} never prints the headers: they typically carry {@code Authorization} and
 * {@code Cookie} values, and listeners log contexts. It prints the request line, the key, the
 * attempt, the elapsed time, the phase and the class of the cause (not its message, which may quote
 * the request). Read headers explicitly with {@link #header(String)} or {@link #headers()}. The
 * method, the URI and the key are printed cleaned and bounded as in every client log line: control
 * characters (CR, LF, ESC, ...), U+2028, U+2029 and bidi controls become {@code _}, and each is cut
 * after 200 characters with {@code ...}; the accessors return them exactly.
 *
 * @param method the request method, e.g. {@code POST}
 * @param uri the request URI as sent (absolute when the request or the target host made it so)
 * @param headers the request headers as sent, including the idempotency key header
 * @param idempotencyKey the key of the logical request: the same on every attempt and in every
 *     callback
 * @param attempt the number of the attempt this context describes, starting at 1
 * @param elapsed time since the logical request started
 * @param phase the phase of the failure being handled; {@code null} for a context that describes
 *     a successful attempt
 * @param cause the failure being handled; {@code null} for a context that describes a successful
 *     attempt
 * @param route the request's route, {@code scheme://host:port} of its target, lower case; {@code
 *     OTHER} beyond the first 256 routes of a wrapped client, so that it is safe as a metric tag
 * @param attemptsSentAt when each attempt so far was handed to the client, as time since the logical
 *     request started (the same clock as {@code elapsed}), in order: the last one is the latest send
 *     of this key, which a status check needs to judge a "not found" (see {@link
 *     TimeoutRecoveryPolicy.Builder#notAppliedHorizon})
 */
public record RecoveryContext(
        String method,
        URI uri,
        List<Header> headers,
        String idempotencyKey,
        int attempt,
        Duration elapsed,
        FailurePhase phase,
        Throwable cause,
        String route,
        List<Duration> attemptsSentAt) {

    /**
     * Creates a context; the header list is copied so that the context stays immutable.
     *
     * @param method the request method
     * @param uri the request URI as sent
     * @param headers the request headers as sent
     * @param idempotencyKey the key of the logical request
     * @param attempt the attempt number, from 1
     * @param elapsed time since the logical request started
     * @param phase the phase of the failure, or {@code null}
     * @param cause the failure, or {@code null}
     * @param route the request's route
     * @param attemptsSentAt when each attempt was sent, since the logical request started
     */
    public RecoveryContext {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(route, "route");
        headers = List.copyOf(headers);
        attemptsSentAt = List.copyOf(Objects.requireNonNull(attemptsSentAt, "attemptsSentAt"));
    }

    /**
     * A context without send times (as before they were recorded), for listeners' and callbacks' own
     * tests.
     *
     * @param method the request method
     * @param uri the request URI as sent
     * @param headers the request headers as sent
     * @param idempotencyKey the key of the logical request
     * @param attempt the attempt number, from 1
     * @param elapsed time since the logical request started
     * @param phase the phase of the failure, or {@code null}
     * @param cause the failure, or {@code null}
     * @param route the request's route
     */
    public RecoveryContext(String method, URI uri, List<Header> headers, String idempotencyKey, int attempt,
            Duration elapsed, FailurePhase phase, Throwable cause, String route) {
        this(method, uri, headers, idempotencyKey, attempt, elapsed, phase, cause, route, List.of());
    }

    /**
     * The value of the first header with the given name, compared case-insensitively.
     *
     * @param name the header name
     * @return the value, or empty
     */
    public Optional<String> header(String name) {
        for (Header header : headers) {
            if (header.getName().equalsIgnoreCase(name)) {
                return Optional.ofNullable(header.getValue());
            }
        }
        return Optional.empty();
    }

    /**
     * The request line, e.g. {@code POST http://localhost:8080/payments}, as used in logs and
     * exception messages.
     *
     * @return the request line
     */
    public String requestLine() {
        return method + " " + uri;
    }

    /**
     * A log-safe description: request line, idempotency key, attempt, elapsed time, phase and the
     * cause's class. Headers are never printed (they carry credentials and cookies), and neither is
     * the cause's message.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "RecoveryContext{" + LogSafe.clean(requestLine()) + ", key=" + LogSafe.clean(idempotencyKey)
                + ", attempt=" + attempt
                + ", elapsed=" + elapsed.toMillis() + "ms, phase=" + phase
                + ", cause=" + (cause == null ? null : cause.getClass().getName()) + "}";
    }
}
