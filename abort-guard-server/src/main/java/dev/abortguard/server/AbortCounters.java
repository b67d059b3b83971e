package dev.abortguard.server;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The built-in {@link AbortMetrics}: exact, lock-free counters readable from code (a health
 * endpoint, a test, a JMX bean of your own) without any metrics library.
 *
 * <p>Counts are kept in total, by {@link AbortKind} and by route. The route key is the route
 * template or servlet pattern of the event, or {@value #UNKNOWN_ROUTE}; a raw URI is never a key.
 * After {@code maxRoutes} distinct routes, further routes are counted under {@value #OTHER_ROUTE},
 * so a misbehaving route attribute cannot grow memory without bound: {@link #byRoute()} never holds
 * more than {@code maxRoutes} routes besides {@value #UNKNOWN_ROUTE} and {@value #OTHER_ROUTE},
 * however many threads record at once.
 */
public final class AbortCounters implements AbortMetrics {

    /** Route key for events without a route template. */
    public static final String UNKNOWN_ROUTE = "UNKNOWN";
    /** Route key once {@code maxRoutes} distinct routes have been seen. */
    public static final String OTHER_ROUTE = "OTHER";

    private final LongAdder total = new LongAdder();
    private final EnumMap<AbortKind, LongAdder> byKind = new EnumMap<>(AbortKind.class);
    private final ConcurrentHashMap<String, LongAdder> byRoute = new ConcurrentHashMap<>();
    private final BoundedKeys routes;

    /** Counters that keep up to 500 distinct routes. */
    public AbortCounters() {
        this(500);
    }

    /**
     * Counters that keep up to {@code maxRoutes} distinct routes (at least 1).
     *
     * @param maxRoutes how many distinct route keys are kept before {@value #OTHER_ROUTE} is used
     * @throws IllegalArgumentException if {@code maxRoutes} is less than 1
     */
    public AbortCounters(int maxRoutes) {
        if (maxRoutes < 1) {
            throw new IllegalArgumentException("maxRoutes must be >= 1, was " + maxRoutes);
        }
        this.routes = new BoundedKeys(maxRoutes);
        for (AbortKind kind : AbortKind.values()) {
            byKind.put(kind, new LongAdder());
        }
    }

    @Override
    public void record(ClientAbortEvent event) {
        total.increment();
        byKind.get(event.kind()).increment();
        routeCounter(event.route()).increment();
    }

    private LongAdder routeCounter(String route) {
        String key = route == null ? UNKNOWN_ROUTE : routes.admit(route) ? route : OTHER_ROUTE;
        LongAdder counter = byRoute.get(key);
        return counter != null ? counter : byRoute.computeIfAbsent(key, k -> new LongAdder());
    }

    /**
     * Aborted requests recorded so far.
     *
     * @return the number of aborted requests recorded by this instance
     */
    public long total() {
        return total.sum();
    }

    /**
     * Aborted requests of one kind.
     *
     * @param kind the kind to count
     * @return the number of aborted requests of {@code kind} recorded so far
     */
    public long count(AbortKind kind) {
        return byKind.get(kind).sum();
    }

    /**
     * A sorted snapshot of counts by route key.
     *
     * @return a new map from route key to count, sorted by route key
     */
    public Map<String, Long> byRoute() {
        Map<String, Long> snapshot = new TreeMap<>();
        byRoute.forEach((route, count) -> snapshot.put(route, count.sum()));
        return snapshot;
    }

    @Override
    public String toString() {
        return "AbortCounters[total=" + total() + ", byKind=" + kindSnapshot() + ", byRoute=" + byRoute() + "]";
    }

    private Map<String, Long> kindSnapshot() {
        Map<String, Long> snapshot = new TreeMap<>();
        byKind.forEach((kind, count) -> snapshot.put(kind.tag(), count.sum()));
        return snapshot;
    }
}
