package dev.abortguard.client.connections;

import dev.abortguard.client.PoolRouteStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.io.ConnectionEndpoint;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PoolRouteStats} on a real HttpClient 5 pool: route names as the policy's, the bound, and
 * the sums. A lease takes a pool entry before any connect, so hundreds of routes need no server
 * ({@code ConnectionChurnTest} and the Micrometer module's pool test hold it against a real one).
 */
class PoolRouteStatsTest {

    @Test
    void routeNamesAreThePolicysNames() {
        // HttpRoute always has the port (it refuses -1): only the case is normalized
        assertThat(PoolRouteStats.routeName(new HttpRoute(new HttpHost("HTTPS", "Pay.Example.COM", 443))))
                .isEqualTo("https://pay.example.com:443");
        assertThat(PoolRouteStats.routeName(new HttpRoute(new HttpHost("http", "127.0.0.1", 8080))))
                .isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void routesAreBoundedAndTheRestSummedUnderOther() throws Exception {
        int routes = PoolRouteStats.MAX_ROUTES + 44;
        List<ConnectionEndpoint> leased = new ArrayList<>();
        try (PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(1000).setMaxConnPerRoute(3).build()) {
            for (int i = 0; i < routes; i++) {
                HttpRoute route = new HttpRoute(new HttpHost("http", "host-" + i, 80));
                leased.add(pool.lease("lease-" + i, route, Timeout.ofSeconds(5), null).get(Timeout.ofSeconds(5)));
            }
            // a second lease on the first route
            HttpRoute first = new HttpRoute(new HttpHost("http", "host-0", 80));
            leased.add(pool.lease("again", first, Timeout.ofSeconds(5), null).get(Timeout.ofSeconds(5)));

            Map<String, PoolStats> byRoute = PoolRouteStats.byRoute(pool);
            assertThat(byRoute).hasSize(PoolRouteStats.MAX_ROUTES + 1).containsKey(PoolRouteStats.OVERFLOW);
            assertThat(byRoute.values().stream().mapToInt(PoolStats::getLeased).sum()).isEqualTo(routes + 1);
            // the first 256 names in alphabetical order are named ("http://host-0:80" first), the last 44 summed
            assertThat(byRoute.keySet().iterator().next()).isEqualTo("http://host-0:80");
            assertThat(byRoute.get("http://host-0:80").getLeased()).isEqualTo(2);
            assertThat(byRoute.get(PoolRouteStats.OVERFLOW).getLeased()).isEqualTo(44);
            assertThat(byRoute.get(PoolRouteStats.OVERFLOW).getMax()).isEqualTo(44 * 3);

            PoolStats host0 = PoolRouteStats.of(pool, "http://host-0:80");
            assertThat(host0.getLeased()).isEqualTo(2);
            assertThat(host0.getAvailable()).isZero();
            assertThat(host0.getMax()).isEqualTo(3);
            assertThat(PoolRouteStats.of(pool, "http://nowhere:80").getMax()).isZero();

            for (ConnectionEndpoint endpoint : leased) {
                pool.release(endpoint, null, null); // never connected: discarded, not kept idle
            }
            assertThat(PoolRouteStats.of(pool, "http://host-0:80").getLeased()).isZero();
            assertThat(pool.getTotalStats().getLeased()).isZero();
            pool.close(CloseMode.IMMEDIATE);
        }
    }
}
