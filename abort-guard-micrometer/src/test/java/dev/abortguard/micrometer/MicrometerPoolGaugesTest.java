package dev.abortguard.micrometer;

import dev.abortguard.client.TimeoutRecoveryPolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.ConnectionEndpoint;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link MicrometerConnectionMetrics#bindPool}: the pool's gauges, read from a real registry. */
class MicrometerPoolGaugesTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A keep-alive HTTP/1.1 server that holds every request until released, then answers 200. */
    private static final class HoldingServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        final ExecutorService threads = Executors.newCachedThreadPool();
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger arrived = new AtomicInteger();

        HoldingServer() throws IOException {
            threads.execute(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket connection = socket.accept();
                        threads.execute(() -> serve(connection));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String route() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        private void serve(Socket connection) {
            try (connection) {
                InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream();
                while (readHead(in)) {
                    arrived.incrementAndGet();
                    release.await();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed
            }
        }

        /** Reads a request head of a GET (no body); false at the end of the stream. */
        private static boolean readHead(InputStream in) throws IOException {
            int matched = 0;
            int b;
            while ((b = in.read()) >= 0) {
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                        ? matched + 1 : 0;
                if (matched == 4) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            socket.close();
            threads.shutdownNow();
        }
    }

    private double gauge(String name, String... tags) {
        Gauge gauge = Search.in(registry).name(name).tag("pool", "upstream").tags(tags).gauge();
        return gauge == null ? -1 : gauge.value();
    }

    @Test
    void poolGaugesFollowARealServerHoldingRequestsPerRouteAndInTotal() throws Exception {
        MicrometerConnectionMetrics metrics = new MicrometerConnectionMetrics(registry);
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().addConnectionListener(metrics).build();
        PoolingHttpClientConnectionManager pool = policy.instrument(PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(4).setMaxConnPerRoute(2)).build();
        metrics.bindPool(pool, "upstream");
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try (HoldingServer a = new HoldingServer(); HoldingServer b = new HoldingServer();
             CloseableHttpClient client = policy.wrap(policy.instrument(HttpClients.custom().setConnectionManager(pool)).build())) {
            List<Future<String>> answers = new ArrayList<>();
            for (String route : List.of(a.route(), a.route(), a.route(), b.route())) {
                answers.add(callers.submit(() -> client.execute(new HttpGet(route + "/hold"),
                        response -> EntityUtils.toString(response.getEntity()))));
            }
            // route a: 2 leased (its maximum), 1 waiting; route b: 1 leased
            await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
                assertThat(a.arrived.get() + b.arrived.get()).isEqualTo(3);
                assertThat(gauge(MicrometerConnectionMetrics.POOL_PENDING, "route", a.route())).isEqualTo(1);
            });
            assertThat(gauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, "route", a.route(), "state", "leased")).isEqualTo(2);
            assertThat(gauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, "route", a.route(), "state", "available")).isZero();
            assertThat(gauge(MicrometerConnectionMetrics.POOL_MAX, "route", a.route())).isEqualTo(2);
            assertThat(gauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, "route", b.route(), "state", "leased")).isEqualTo(1);
            assertThat(gauge(MicrometerConnectionMetrics.POOL_PENDING, "route", b.route())).isZero();
            assertThat(gauge(MicrometerConnectionMetrics.POOL_TOTAL_CONNECTIONS, "state", "leased")).isEqualTo(3);
            assertThat(gauge(MicrometerConnectionMetrics.POOL_TOTAL_PENDING)).isEqualTo(1);
            assertThat(gauge(MicrometerConnectionMetrics.POOL_TOTAL_MAX)).isEqualTo(4);

            a.release.countDown();
            b.release.countDown();
            for (Future<String> answer : answers) {
                assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
            }
            // all answered, the connections kept alive and idle in the pool
            assertThat(a.arrived.get()).isEqualTo(3);
            await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
                assertThat(gauge(MicrometerConnectionMetrics.POOL_TOTAL_CONNECTIONS, "state", "leased")).isZero();
                assertThat(gauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, "route", a.route(), "state", "available"))
                        .isEqualTo(2);
            });
            assertThat(gauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, "route", b.route(), "state", "available"))
                    .isEqualTo(1);
            assertThat(gauge(MicrometerConnectionMetrics.POOL_TOTAL_CONNECTIONS, "state", "available")).isEqualTo(3);
            assertThat(gauge(MicrometerConnectionMetrics.POOL_TOTAL_PENDING)).isZero();
            assertThat(Search.in(registry).name(MicrometerConnectionMetrics.POOL_PENDING).gauges()).hasSize(2);
            assertThat(Search.in(registry).name(MicrometerConnectionMetrics.POOL_PENDING).gauge().getId().getDescription())
                    .isNotBlank();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void routeGaugesAreBoundedAndTheRestReadUnderOther() throws Exception {
        MicrometerConnectionMetrics metrics = new MicrometerConnectionMetrics(registry);
        int routes = RouteTag.MAX_ROUTES + 10;
        try (PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(1000).build()) {
            metrics.bindPool(pool, "upstream");
            List<ConnectionEndpoint> leased = new ArrayList<>();
            for (int i = 0; i < routes; i++) {
                // a lease takes a pool entry before any connect: no server needed for the count
                HttpRoute route = new HttpRoute(new HttpHost("http", "host-" + i, 80));
                leased.add(pool.lease("lease-" + i, route, Timeout.ofSeconds(5), null).get(Timeout.ofSeconds(5)));
            }
            // nothing opened a connection: reading the totals finds the routes
            assertThat(gauge(MicrometerConnectionMetrics.POOL_TOTAL_CONNECTIONS, "state", "leased")).isEqualTo(routes);
            assertThat(Search.in(registry).name(MicrometerConnectionMetrics.POOL_PENDING).gauges())
                    .hasSize(RouteTag.MAX_ROUTES + 1);
            assertThat(gauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, "route", "OTHER", "state", "leased")).isEqualTo(10);
            // which 256 routes are named is the order the pool lists them in; each has its one lease
            double named = Search.in(registry).name(MicrometerConnectionMetrics.POOL_CONNECTIONS).tag("state", "leased")
                    .gauges().stream().filter(g -> !"OTHER".equals(g.getId().getTag("route")))
                    .mapToDouble(Gauge::value).sum();
            assertThat(named).isEqualTo(RouteTag.MAX_ROUTES);
            for (ConnectionEndpoint endpoint : leased) {
                pool.release(endpoint, null, null);
            }
            assertThat(gauge(MicrometerConnectionMetrics.POOL_CONNECTIONS, "route", "OTHER", "state", "leased")).isZero();
            assertThat(gauge(MicrometerConnectionMetrics.POOL_TOTAL_CONNECTIONS, "state", "leased")).isZero();
        }
    }
}
