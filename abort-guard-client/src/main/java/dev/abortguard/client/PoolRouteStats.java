package dev.abortguard.client;

import dev.abortguard.client.internal.RouteNames;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.apache.hc.core5.pool.PoolStats;

/**
 * A connection pool's state per route, named like the policy's routes: how many connections are
 * leased, available (idle, open) and how many lease requests are pending, and each route's maximum.
 * Reads any HttpClient 5 pool ({@code PoolingHttpClientConnectionManager}, {@code
 * PoolingAsyncClientConnectionManager}: both are a {@link ConnPoolControl ConnPoolControl&lt;HttpRoute&gt;}),
 * with no dependency beyond HttpClient; {@code dev.abortguard.micrometer.MicrometerConnectionMetrics}
 * (module abort-guard-micrometer) publishes the same figures as gauges.
 *
 * <p>Why per route: under an overloaded upstream, {@code pending} on that upstream's route is the
 * queue in front of it and {@code leased == max} says the pool, not the upstream, is the limit;
 * totals mix the healthy routes in.
 *
 * <p>A route is named {@code scheme://host:port} of its target, in lower case with the scheme's
 * default port filled in: the name {@link RecoveryContext#route()} and the connection listeners use.
 * Pool routes with the same name (one through a proxy, one direct) are summed. Bounded: at most
 * {@value #MAX_ROUTES} names, the first in alphabetical order, and the rest summed under {@value
 * #OVERFLOW}.
 */
public final class PoolRouteStats {

    /** The most routes named apart; further ones are summed under {@link #OVERFLOW}. */
    public static final int MAX_ROUTES = 256;

    /** The name under which routes beyond {@link #MAX_ROUTES} are summed. */
    public static final String OVERFLOW = "OTHER";

    private PoolRouteStats() {}

    /**
     * The name of a pool route: {@code scheme://host:port} of its target host, lower case, with the
     * scheme's default port when the target has none.
     *
     * @param route the route
     * @return the name
     */
    public static String routeName(HttpRoute route) {
        HttpHost target = Objects.requireNonNull(route, "route").getTargetHost();
        return RouteNames.name(target.getSchemeName(), target.getHostName(), target.getPort());
    }

    /**
     * The pool's state per route name, read now (one {@code getStats} per pool route; each read is
     * consistent for its route, not across routes while connections are leased and released).
     *
     * @param pool the pool
     * @return an unmodifiable map from route name to its summed stats: the first {@value #MAX_ROUTES}
     *     names in alphabetical order, then {@value #OVERFLOW} with the rest summed (when there are more)
     */
    public static Map<String, PoolStats> byRoute(ConnPoolControl<HttpRoute> pool) {
        Objects.requireNonNull(pool, "pool");
        Map<String, int[]> sums = new TreeMap<>();
        for (HttpRoute route : pool.getRoutes()) {
            PoolStats stats = pool.getStats(route);
            int[] sum = sums.computeIfAbsent(routeName(route), n -> new int[4]);
            sum[0] += stats.getLeased();
            sum[1] += stats.getPending();
            sum[2] += stats.getAvailable();
            sum[3] += stats.getMax();
        }
        Map<String, PoolStats> result = new LinkedHashMap<>();
        int[] overflow = null;
        for (Map.Entry<String, int[]> entry : sums.entrySet()) {
            int[] sum = entry.getValue();
            if (result.size() < MAX_ROUTES) {
                result.put(entry.getKey(), new PoolStats(sum[0], sum[1], sum[2], sum[3]));
                continue;
            }
            if (overflow == null) {
                overflow = new int[4];
            }
            for (int i = 0; i < 4; i++) {
                overflow[i] += sum[i];
            }
        }
        if (overflow != null) {
            result.put(OVERFLOW, new PoolStats(overflow[0], overflow[1], overflow[2], overflow[3]));
        }
        return Collections.unmodifiableMap(result);
    }

    /**
     * The pool's state on the routes that carry {@code name}, summed; all zero for a route the pool
     * does not have.
     *
     * @param pool the pool
     * @param name a route name ({@link #routeName})
     * @return the stats
     */
    public static PoolStats of(ConnPoolControl<HttpRoute> pool, String name) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(name, "name");
        int leased = 0;
        int pending = 0;
        int available = 0;
        int max = 0;
        for (HttpRoute route : pool.getRoutes()) {
            if (name.equals(routeName(route))) {
                PoolStats stats = pool.getStats(route);
                leased += stats.getLeased();
                pending += stats.getPending();
                available += stats.getAvailable();
                max += stats.getMax();
            }
        }
        return new PoolStats(leased, pending, available, max);
    }

}
