package dev.abortguard.micrometer;

import dev.abortguard.client.ConnectionCloseReason;
import dev.abortguard.client.ConnectionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.pool.ConnPoolControl;

/**
 * Publishes the connection churn of pools built through {@code
 * TimeoutRecoveryPolicy.instrument(PoolingHttpClientConnectionManagerBuilder)} as Micrometer
 * counters; register it with {@code
 * TimeoutRecoveryPolicy.Builder.addConnectionListener(new MicrometerConnectionMetrics(registry))}.
 *
 * <ul>
 *   <li>{@code abortguard.client.connections.opened}, tag {@code route}: connections opened;
 *   <li>{@code abortguard.client.connections.closed}, tags {@code route}, {@code reason} (a {@link
 *       ConnectionCloseReason} in lower case), {@code closed_by} ({@code client}, {@code server})
 *       and {@code reset} ({@code true}: the client's close was a reset, no {@code TIME_WAIT} on
 *       the client; {@code false}: orderly).
 * </ul>
 *
 * <p>The pool's own state, with {@link #bindPool}: gauges per route and in total, tag {@code pool}
 * (the name given to {@code bindPool}):
 *
 * <ul>
 *   <li>{@code abortguard.client.pool.connections}, tags {@code route}, {@code state} ({@code
 *       leased}, {@code available}): the route's connections leased to an exchange, and open and idle;
 *   <li>{@code abortguard.client.pool.pending}, tag {@code route}: requests waiting for a connection;
 *   <li>{@code abortguard.client.pool.max}, tag {@code route}: the route's maximum;
 *   <li>{@code abortguard.client.pool.total.connections} (tag {@code state}), {@code
 *       abortguard.client.pool.total.pending} and {@code abortguard.client.pool.total.max}: the same
 *       over the whole pool.
 * </ul>
 *
 * <p>{@code route} is {@code scheme://host:port}, at most 256 values (further routes are {@code
 * OTHER}), the same names as the counters' and {@link dev.abortguard.client.PoolRouteStats}'s.
 */
public final class MicrometerConnectionMetrics implements ConnectionListener {

    /** Counter name: connections opened, tag {@code route}. */
    public static final String OPENED = "abortguard.client.connections.opened";
    /** Counter name: connections closed, tags {@code route}, {@code reason}, {@code closed_by} and {@code reset}. */
    public static final String CLOSED = "abortguard.client.connections.closed";

    /** Gauge name: a route's connections of a bound pool, tags {@code pool}, {@code route}, {@code state}. */
    public static final String POOL_CONNECTIONS = "abortguard.client.pool.connections";
    /** Gauge name: requests waiting for a connection of a route of a bound pool, tags {@code pool}, {@code route}. */
    public static final String POOL_PENDING = "abortguard.client.pool.pending";
    /** Gauge name: a route's maximum of connections in a bound pool, tags {@code pool}, {@code route}. */
    public static final String POOL_MAX = "abortguard.client.pool.max";
    /** Gauge name: a bound pool's connections, tags {@code pool}, {@code state} ({@code leased}, {@code available}). */
    public static final String POOL_TOTAL_CONNECTIONS = "abortguard.client.pool.total.connections";
    /** Gauge name: requests waiting for a connection of a bound pool, tag {@code pool}. */
    public static final String POOL_TOTAL_PENDING = "abortguard.client.pool.total.pending";
    /** Gauge name: a bound pool's maximum of connections, tag {@code pool}. */
    public static final String POOL_TOTAL_MAX = "abortguard.client.pool.total.max";

    private static final ConnectionCloseReason[] REASONS = ConnectionCloseReason.values();

    private final MeterRegistry registry;
    private final List<PoolGauges> pools = new CopyOnWriteArrayList<>();
    private final RouteTag<Counter> opened;
    private final RouteTag<Counter> closed;

    /**
     * Creates the adapter; meters are registered in {@code registry} as connections open and close.
     *
     * @param registry where to register the counters
     * @throws NullPointerException if {@code registry} is {@code null}
     */
    public MicrometerConnectionMetrics(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        this.registry = registry;
        opened = new RouteTag<>(1, (route, i) -> Counter.builder(OPENED)
                .description("HTTP client connections opened")
                .tag("route", route)
                .register(registry));
        closed = new RouteTag<>(REASONS.length * 2, (route, i) -> {
            ConnectionCloseReason reason = REASONS[i / 2];
            return Counter.builder(CLOSED)
                    .description("HTTP client connections closed, by why, by which side, and whether the client reset"
                            + " them (no TIME_WAIT on the client) or closed them orderly")
                    .tag("route", route)
                    .tag("reason", MicrometerRecoveryMetrics.tag(reason))
                    .tag("closed_by", MicrometerRecoveryMetrics.tag(reason.closedBy()))
                    .tag("reset", i % 2 == 1 ? "true" : "false")
                    .register(registry);
        });
    }

    /**
     * Publishes a connection pool's state as gauges (see the class documentation), read when the
     * registry reads them: {@code PoolingHttpClientConnectionManager} and {@code
     * PoolingAsyncClientConnectionManager} are both a {@code ConnPoolControl<HttpRoute>}. The totals
     * are registered at once; a route's gauges when the route is first seen: when a connection to it
     * opens (register this instance as a connection listener of the policy that instruments the
     * pool) or when the totals are read, whichever comes first. The pool is held weakly, as
     * Micrometer holds a gauge's object: once it is garbage its gauges read {@code NaN}.
     *
     * @param pool the pool
     * @param poolName the {@code pool} tag, to tell pools apart in one registry; a second pool bound
     *     under the same name in the same registry adds no gauges (Micrometer keeps the first)
     * @return this, for chaining
     * @throws NullPointerException if an argument is {@code null}
     */
    public MicrometerConnectionMetrics bindPool(ConnPoolControl<HttpRoute> pool, String poolName) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(poolName, "poolName");
        pools.add(new PoolGauges(registry, pool, poolName));
        return this;
    }

    @Override
    public void onOpened(String route) {
        opened.meter(route, 0).increment();
        for (PoolGauges pool : pools) {
            pool.discoverIfNew(route);
        }
    }

    @Override
    public void onClosed(String route, ConnectionCloseReason reason, boolean reset) {
        closed.meter(route, reason.ordinal() * 2 + (reset ? 1 : 0)).increment();
    }
}
