package dev.abortguard.client;

import java.io.IOException;
import java.time.Duration;

/**
 * A request was not sent because its route already had {@code maxInFlightPerRoute} attempts in
 * flight and no permit came free within the queue time (see {@link
 * TimeoutRecoveryPolicy.Builder#maxInFlightPerRoute}). Nothing of it reached the wire: the outcome is
 * known, it did not happen ({@link FailurePhase#NEVER_SENT}), and the caller may tell this apart from
 * a failure of the upstream itself — it is this client shedding load so as not to add to an
 * upstream that is already slow.
 */
public final class InFlightLimitExceededException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String route;
    private final int limit;
    private final Duration waited;

    /**
     * @param route the route, {@code scheme://host:port}
     * @param limit the in-flight limit of the route
     * @param waited how long the request waited for a permit
     */
    public InFlightLimitExceededException(String route, int limit, Duration waited) {
        super("not sent: " + limit + " requests in flight to " + route + " after waiting " + waited.toMillis() + "ms");
        this.route = route;
        this.limit = limit;
        this.waited = waited;
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
     * The route's in-flight limit.
     *
     * @return the limit
     */
    public int limit() {
        return limit;
    }

    /**
     * How long the request waited for a permit before giving up.
     *
     * @return the wait
     */
    public Duration waited() {
        return waited;
    }
}
