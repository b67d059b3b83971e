package dev.abortguard.client;

import dev.abortguard.client.ConnectionCloseReason.ClosedBy;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Built-in, dependency-free connection counters per route: opened, closed by reason and by side,
 * and how many of the client's closes were resets. Register an instance with {@link
 * TimeoutRecoveryPolicy.Builder#addConnectionListener(ConnectionListener)}, build the pool through
 * {@link
 * TimeoutRecoveryPolicy#instrument(org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder)},
 * and read it from code; {@code dev.abortguard.micrometer.MicrometerConnectionMetrics} (module
 * abort-guard-micrometer) publishes the same counts as Micrometer meters.
 *
 * <p>What the counts say under an overloaded upstream: connections opened per request is the
 * churn; closes by {@link ConnectionCloseReason} say who caused it; orderly closes by the client
 * ({@code closed - resets} among {@link ClosedBy#CLIENT}) are the ones that leave {@code
 * TIME_WAIT} on this host.
 *
 * <p>Bounded: at most 256 routes are counted apart (the pool's route names already are), further
 * ones under {@code OTHER}. Thread-safe and lock-free ({@link LongAdder}); reads are not a
 * consistent snapshot across counters while connections open and close.
 */
public final class ConnectionCounters implements ConnectionListener {

    private static final int MAX_ROUTES = 256;
    private static final String OVERFLOW = "OTHER";
    private static final ConnectionCloseReason[] REASONS = ConnectionCloseReason.values();

    private final ConcurrentHashMap<String, RouteCounts> routes = new ConcurrentHashMap<>();

    /** Creates counters that all start at zero. */
    public ConnectionCounters() {}

    @Override
    public void onOpened(String route) {
        counts(route).opened.increment();
    }

    @Override
    public void onClosed(String route, ConnectionCloseReason reason, boolean reset) {
        RouteCounts counts = counts(route);
        counts.closed[reason.ordinal()].increment();
        if (reset) {
            counts.resets.increment();
        }
    }

    /**
     * Connections opened on every route.
     *
     * @return the count
     */
    public long opened() {
        return routes.values().stream().mapToLong(c -> c.opened.sum()).sum();
    }

    /**
     * Connections opened on one route.
     *
     * @param route {@code scheme://host:port}, as the listener events name it
     * @return the count, 0 for a route never seen
     */
    public long opened(String route) {
        RouteCounts counts = routes.get(route);
        return counts == null ? 0 : counts.opened.sum();
    }

    /**
     * Connections closed on every route.
     *
     * @return the count
     */
    public long closed() {
        return routes.values().stream().mapToLong(RouteCounts::closed).sum();
    }

    /**
     * Connections closed on one route, for any reason.
     *
     * @param route the route
     * @return the count
     */
    public long closed(String route) {
        RouteCounts counts = routes.get(route);
        return counts == null ? 0 : counts.closed();
    }

    /**
     * Connections closed on one route for one reason.
     *
     * @param route the route
     * @param reason the reason
     * @return the count
     */
    public long closed(String route, ConnectionCloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        RouteCounts counts = routes.get(route);
        return counts == null ? 0 : counts.closed[reason.ordinal()].sum();
    }

    /**
     * Connections closed on one route by one side.
     *
     * @param route the route
     * @param side the side that ended them
     * @return the count
     */
    public long closedBy(String route, ClosedBy side) {
        Objects.requireNonNull(side, "side");
        long n = 0;
        for (ConnectionCloseReason reason : REASONS) {
            if (reason.closedBy() == side) {
                n += closed(route, reason);
            }
        }
        return n;
    }

    /**
     * The client's closes on one route that were resets (no {@code TIME_WAIT} on the client); the
     * other closes were orderly.
     *
     * @param route the route
     * @return the count
     */
    public long resets(String route) {
        RouteCounts counts = routes.get(route);
        return counts == null ? 0 : counts.resets.sum();
    }

    /**
     * The routes seen so far, sorted.
     *
     * @return a snapshot
     */
    public Set<String> routes() {
        return new TreeSet<>(routes.keySet());
    }

    private RouteCounts counts(String route) {
        String name = route == null ? OVERFLOW : route;
        RouteCounts counts = routes.get(name);
        if (counts != null) {
            return counts;
        }
        if (routes.size() >= MAX_ROUTES) {
            name = OVERFLOW;
        }
        return routes.computeIfAbsent(name, n -> new RouteCounts());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ConnectionCounters{");
        for (String route : routes()) {
            RouteCounts c = routes.get(route);
            s.append(route).append(": opened=").append(c.opened.sum()).append(", closed={");
            boolean first = true;
            for (ConnectionCloseReason reason : REASONS) {
                long n = c.closed[reason.ordinal()].sum();
                if (n > 0) {
                    s.append(first ? "" : ", ").append(reason).append('=').append(n);
                    first = false;
                }
            }
            s.append("}, resets=").append(c.resets.sum()).append("; ");
        }
        return s.append('}').toString();
    }

    private static final class RouteCounts {
        final LongAdder opened = new LongAdder();
        final LongAdder resets = new LongAdder();
        final LongAdder[] closed = new LongAdder[REASONS.length];

        RouteCounts() {
            for (int i = 0; i < closed.length; i++) {
                closed[i] = new LongAdder();
            }
        }

        long closed() {
            long n = 0;
            for (LongAdder a : closed) {
                n += a.sum();
            }
            return n;
        }
    }
}
