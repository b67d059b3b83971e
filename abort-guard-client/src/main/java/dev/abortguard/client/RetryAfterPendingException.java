package dev.abortguard.client;

import java.io.IOException;
import java.time.Duration;

/**
 * A request was not sent because its route's upstream had asked, with {@code Retry-After}, that
 * nobody send to it before a time that lay beyond what this request may wait before its first
 * attempt (the in-flight queue time of {@link TimeoutRecoveryPolicy.Builder#maxInFlightPerRoute},
 * never past the {@linkplain TimeoutRecoveryPolicy.Builder#exchangeDeadline exchange deadline}).
 * Nothing of it reached the wire: the outcome is known, it did not happen ({@link
 * FailurePhase#NEVER_SENT}), and the caller may tell this apart from a failure of the upstream — it
 * is this client keeping quiet as the upstream asked.
 */
public final class RetryAfterPendingException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String route;
    private final Duration remaining;
    private final Duration maxWait;

    /**
     * @param route the route, {@code scheme://host:port}
     * @param remaining how long the route was still to stay quiet when the request gave up
     * @param maxWait the longest the request could wait before its first attempt
     */
    public RetryAfterPendingException(String route, Duration remaining, Duration maxWait) {
        super("not sent: " + route + " asked (Retry-After) for " + remaining.toMillis()
                + "ms more of quiet, longer than the " + maxWait.toMillis() + "ms this request may wait");
        this.route = route;
        this.remaining = remaining;
        this.maxWait = maxWait;
    }

    /**
     * The route, {@code scheme://host:port}.
     *
     * @return the route
     */
    public String route() {
        return route;
    }

    /**
     * How long the route was still to stay quiet when the request gave up.
     *
     * @return the remaining wait
     */
    public Duration remaining() {
        return remaining;
    }

    /**
     * The longest the request could wait before its first attempt.
     *
     * @return the wait allowed
     */
    public Duration maxWait() {
        return maxWait;
    }
}
