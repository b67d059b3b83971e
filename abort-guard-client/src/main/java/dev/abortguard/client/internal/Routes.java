package dev.abortguard.client.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Route}s of one wrapped client, keyed by {@code scheme://host:port}. Bounded: beyond
 * {@value #MAX_ROUTES} distinct routes, further ones share one overflow route (a client that calls
 * thousands of hosts gets one budget and one limit for the rest, never unbounded memory).
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class Routes {

    /** Distinct routes kept apart; more share {@link #OVERFLOW}. */
    public static final int MAX_ROUTES = 256;
    /** The name of the route the routes beyond {@value #MAX_ROUTES} share. */
    public static final String OVERFLOW = "OTHER";

    private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
    private final double ratio;
    private final int minPerSecond;
    private final Duration window;
    private final int maxInFlight;
    private final Route overflow;

    /**
     * @param window the retry budget's window, or {@code null} for no budget
     * @param maxInFlight the in-flight limit per route, 0 for none
     */
    public Routes(double ratio, int minPerSecond, Duration window, int maxInFlight) {
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        this.window = window;
        this.maxInFlight = maxInFlight;
        this.overflow = create(OVERFLOW);
    }

    /** The route of {@code scheme}, {@code host} and {@code port} (-1 for the scheme's default). */
    public Route of(String scheme, String host, int port) {
        String name = RouteNames.name(scheme, host, port);
        Route route = routes.get(name);
        if (route != null) {
            return route;
        }
        if (routes.size() >= MAX_ROUTES) {
            return overflow;
        }
        return routes.computeIfAbsent(name, this::create);
    }

    private Route create(String name) {
        return new Route(name, window == null ? null : new RetryBudget(ratio, minPerSecond, window), maxInFlight);
    }
}
