package dev.abortguard.micrometer;

import dev.abortguard.client.PoolRouteStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.apache.hc.core5.pool.PoolStats;

/**
 * The gauges of one bound pool (see {@link MicrometerConnectionMetrics#bindPool}): totals at once,
 * a route's gauges when the route is first seen — when a connection on it opens, or when the totals
 * are read (a scrape), whichever comes first. Each route gauge holds the pool routes of its name and
 * reads only those; {@value RouteTag#OVERFLOW} reads the routes beyond the bound. The pool is held
 * weakly, as Micrometer holds a gauge's object: a pool that is gone reads {@code NaN}.
 */
final class PoolGauges {

    private final MeterRegistry registry;
    private final String poolName;
    private final WeakReference<ConnPoolControl<HttpRoute>> pool;
    private final Map<String, List<HttpRoute>> named = new ConcurrentHashMap<>();
    private final Set<HttpRoute> known = ConcurrentHashMap.newKeySet();
    private boolean overflowRegistered;

    PoolGauges(MeterRegistry registry, ConnPoolControl<HttpRoute> pool, String poolName) {
        this.registry = registry;
        this.poolName = poolName;
        this.pool = new WeakReference<>(pool);
        total(MicrometerConnectionMetrics.POOL_TOTAL_CONNECTIONS, "leased", PoolStats::getLeased, pool,
                "Connections of the pool leased to an exchange");
        total(MicrometerConnectionMetrics.POOL_TOTAL_CONNECTIONS, "available", PoolStats::getAvailable, pool,
                "Connections of the pool open and idle");
        total(MicrometerConnectionMetrics.POOL_TOTAL_PENDING, null, PoolStats::getPending, pool,
                "Requests waiting for a connection of the pool");
        total(MicrometerConnectionMetrics.POOL_TOTAL_MAX, null, PoolStats::getMax, pool,
                "The pool's maximum of connections");
        discover(pool);
    }

    private void total(String name, String state, ToIntFunction<PoolStats> value, ConnPoolControl<HttpRoute> control,
                       String description) {
        Gauge.Builder<ConnPoolControl<HttpRoute>> builder = Gauge.builder(name, control, p -> {
            discover(p);
            return value.applyAsInt(p.getTotalStats());
        }).description(description).tag("pool", poolName);
        if (state != null) {
            builder.tag("state", state);
        }
        builder.register(registry);
    }

    /** Registers the gauges of a route named {@code route} if it is new and the pool has it. */
    void discoverIfNew(String route) {
        if (named.containsKey(route) || named.size() >= RouteTag.MAX_ROUTES) {
            return;
        }
        ConnPoolControl<HttpRoute> control = pool.get();
        if (control != null) {
            discover(control);
        }
    }

    private synchronized void discover(ConnPoolControl<HttpRoute> control) {
        for (HttpRoute route : control.getRoutes()) {
            if (known.contains(route)) {
                continue;
            }
            String name = PoolRouteStats.routeName(route);
            List<HttpRoute> routes = named.get(name);
            if (routes == null) {
                if (named.size() >= RouteTag.MAX_ROUTES) {
                    overflow(control);
                    continue;
                }
                routes = new CopyOnWriteArrayList<>();
                named.put(name, routes);
                routes.add(route);
                known.add(route);
                route(name, control, routes);
                continue;
            }
            routes.add(route);
            known.add(route);
        }
    }

    private void route(String name, ConnPoolControl<HttpRoute> control, List<HttpRoute> routes) {
        routeGauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, name, "leased", control,
                p -> sum(p, routes, PoolStats::getLeased), "Connections of the route leased to an exchange");
        routeGauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, name, "available", control,
                p -> sum(p, routes, PoolStats::getAvailable), "Connections of the route open and idle");
        routeGauge(MicrometerConnectionMetrics.POOL_PENDING, name, null, control,
                p -> sum(p, routes, PoolStats::getPending), "Requests waiting for a connection of the route");
        routeGauge(MicrometerConnectionMetrics.POOL_MAX, name, null, control,
                p -> sum(p, routes, PoolStats::getMax), "The route's maximum of connections");
    }

    /** The routes beyond the bound, read by exclusion: every pool route not named apart. */
    private void overflow(ConnPoolControl<HttpRoute> control) {
        if (overflowRegistered) {
            return;
        }
        overflowRegistered = true;
        String name = RouteTag.OVERFLOW;
        routeGauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, name, "leased", control,
                p -> unnamed(p, PoolStats::getLeased), "Connections of the route leased to an exchange");
        routeGauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, name, "available", control,
                p -> unnamed(p, PoolStats::getAvailable), "Connections of the route open and idle");
        routeGauge(MicrometerConnectionMetrics.POOL_PENDING, name, null, control,
                p -> unnamed(p, PoolStats::getPending), "Requests waiting for a connection of the route");
        routeGauge(MicrometerConnectionMetrics.POOL_MAX, name, null, control,
                p -> unnamed(p, PoolStats::getMax), "The route's maximum of connections");
    }

    private void routeGauge(String name, String route, String state, ConnPoolControl<HttpRoute> control,
                            ToDoubleFunction<ConnPoolControl<HttpRoute>> value, String description) {
        Gauge.Builder<ConnPoolControl<HttpRoute>> builder = Gauge.builder(name, control, value)
                .description(description).tag("pool", poolName).tag("route", route);
        if (state != null) {
            builder.tag("state", state);
        }
        builder.register(registry);
    }

    private static double sum(ConnPoolControl<HttpRoute> pool, List<HttpRoute> routes, ToIntFunction<PoolStats> value) {
        long sum = 0;
        for (HttpRoute route : routes) {
            sum += value.applyAsInt(pool.getStats(route));
        }
        return sum;
    }

    private double unnamed(ConnPoolControl<HttpRoute> pool, ToIntFunction<PoolStats> value) {
        discover(pool); // a route of a known name not yet added would be read here
        long sum = 0;
        for (HttpRoute route : pool.getRoutes()) {
            if (!known.contains(route)) {
                sum += value.applyAsInt(pool.getStats(route));
            }
        }
        return sum;
    }
}
