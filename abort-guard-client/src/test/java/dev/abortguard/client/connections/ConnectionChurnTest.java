package dev.abortguard.client.connections;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.abortguard.client.ConnectionCloseReason;
import dev.abortguard.client.ConnectionCloseReason.ClosedBy;
import dev.abortguard.client.ConnectionCounters;
import dev.abortguard.client.ConnectionListener;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Connection churn, counted by the client and checked against what a real server saw: every
 * connection the server accepted is one the client counted as opened, every one that ended is
 * one the client counted as closed, with the reason the script of the server caused.
 */
class ConnectionChurnTest {

    private final ConnectionCounters counters = new ConnectionCounters();
    private ScriptedServer server;

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private CloseableHttpClient client(TimeoutRecoveryPolicy policy, Duration responseTimeout) {
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                // check idle connections on every lease, so that one the server closed is found stale
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setValidateAfterInactivity(TimeValue.ZERO_MILLISECONDS).build());
        return HttpClients.custom()
                .setConnectionManager(policy.instrument(pool).build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(responseTimeout)).build())
                .disableAutomaticRetries()
                .build();
    }

    private CloseableHttpClient client() {
        return client(TimeoutRecoveryPolicy.builder().addConnectionListener(counters).build(), Duration.ofSeconds(5));
    }

    private static String get(CloseableHttpClient client, String uri) throws IOException {
        return client.execute(new HttpGet(uri), response -> EntityUtils.toString(response.getEntity()));
    }

    /** Opened equals what the server accepted; closed equals what ended there, once both settle. */
    private void assertCountsMatchTheServer() {
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(server.ended()).isEqualTo(server.accepted());
            assertThat(counters.opened(server.route())).as(counters::toString).isEqualTo(server.accepted());
            assertThat(counters.closed(server.route())).as(counters::toString).isEqualTo(server.ended());
        });
    }

    @Test
    void keptAliveConnectionsAreOpenedOnceAndEvictedOrderlyWhenThePoolCloses() throws Exception {
        try (CloseableHttpClient client = client()) {
            for (int i = 0; i < 5; i++) {
                assertThat(get(client, server.uri("/ok"))).isEqualTo("ok");
            }
            assertThat(counters.opened(server.route())).as(counters::toString).isEqualTo(1);
            assertThat(counters.closed(server.route())).as(counters::toString).isZero();
        }
        assertThat(counters.closed(server.route(), ConnectionCloseReason.EVICTED)).as(counters::toString).isEqualTo(1);
        assertThat(counters.resets(server.route())).as(counters::toString).isZero();
        assertThat(server.requests()).isEqualTo(5);
        assertCountsMatchTheServer();
    }

    @Test
    void aServerThatSaysConnectionCloseCostsOneConnectionPerRequestAndEndsEachOne() throws Exception {
        try (CloseableHttpClient client = client()) {
            for (int i = 0; i < 3; i++) {
                assertThat(get(client, server.uri("/close"))).isEqualTo("ok");
            }
        }
        assertThat(counters.opened(server.route())).as(counters::toString).isEqualTo(3);
        assertThat(counters.closed(server.route(), ConnectionCloseReason.SERVER_CONNECTION_CLOSE)).as(counters::toString).isEqualTo(3);
        assertThat(counters.closedBy(server.route(), ClosedBy.SERVER)).as(counters::toString).isEqualTo(3);
        // HttpClient 5 discards a connection it cannot reuse with a reset, even after a whole response
        assertThat(counters.resets(server.route())).as(counters::toString).isEqualTo(3);
        assertCountsMatchTheServer();
    }

    @Test
    void aWholeResponseOnAConnectionTheClientWillNotKeepIsNotReusable() throws Exception {
        try (CloseableHttpClient client = client()) {
            HttpGet last = new HttpGet(server.uri("/ok"));
            last.setHeader("Connection", "close");
            String body = client.execute(last, response -> EntityUtils.toString(response.getEntity()));
            assertThat(body).isEqualTo("ok");
            assertThat(counters.closed(server.route(), ConnectionCloseReason.NOT_REUSABLE)).as(counters::toString).isEqualTo(1);
            assertCountsMatchTheServer();
        }
    }

    @Test
    void anExchangeCancelledAfterItsHeadArrivedIsAbandoned() throws Exception {
        try (CloseableHttpClient client = client()) {
            // a body the server never finishes, given up after the head: no I/O failure on the connection
            HttpGet partial = new HttpGet(server.uri("/partial"));
            ClassicHttpResponse response = client.executeOpen(null, partial, null);
            assertThat(response.getCode()).isEqualTo(200);
            partial.cancel();
            // closing tries to drain the body from the socket the cancel closed
            assertThatThrownBy(response::close).isInstanceOf(java.net.SocketException.class);
            assertThat(counters.closed(server.route(), ConnectionCloseReason.ABANDONED)).as(counters::toString).isEqualTo(1);
            assertCountsMatchTheServer();
        }
    }

    @Test
    void aResponseTimeoutBeforeTheHeadIsAResetByTheClient() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().addConnectionListener(counters).build();
        try (CloseableHttpClient client = client(policy, Duration.ofMillis(200))) {
            assertThatThrownBy(() -> get(client, server.uri("/stall"))).isInstanceOf(SocketTimeoutException.class);
            assertThat(counters.closed(server.route(), ConnectionCloseReason.RESPONSE_TIMEOUT)).as(counters::toString).isEqualTo(1);
            assertThat(counters.resets(server.route())).as(counters::toString).isEqualTo(1);
            assertThat(counters.closedBy(server.route(), ClosedBy.CLIENT)).as(counters::toString).isEqualTo(1);
            assertCountsMatchTheServer();
        }
    }

    @Test
    void aResponseTimeoutInTheMiddleOfTheBodyIsAResponseTimeoutToo() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().addConnectionListener(counters).build();
        try (CloseableHttpClient client = client(policy, Duration.ofMillis(200))) {
            assertThatThrownBy(() -> get(client, server.uri("/partial"))).isInstanceOf(SocketTimeoutException.class);
            assertThat(counters.closed(server.route(), ConnectionCloseReason.RESPONSE_TIMEOUT)).as(counters::toString).isEqualTo(1);
            // HttpClient 5 closes a connection whose body failed to read orderly (FIN: TIME_WAIT here)
            assertThat(counters.resets(server.route())).as(counters::toString).isZero();
            assertCountsMatchTheServer();
        }
    }

    @Test
    void anIdleConnectionTheServerClosedIsFoundStaleAndCountedAsClosedByTheServer() throws Exception {
        try (CloseableHttpClient client = client()) {
            assertThat(get(client, server.uri("/idle-close"))).isEqualTo("ok");
            await().atMost(5, TimeUnit.SECONDS).until(() -> server.ended() == 1);
            assertThat(get(client, server.uri("/ok"))).isEqualTo("ok");
            assertThat(counters.closed(server.route(), ConnectionCloseReason.SERVER_CLOSED)).as(counters::toString).isEqualTo(1);
            assertThat(counters.opened(server.route())).as(counters::toString).isEqualTo(2);
        }
        assertThat(counters.closed(server.route(), ConnectionCloseReason.EVICTED)).as(counters::toString).isEqualTo(1);
        assertCountsMatchTheServer();
    }

    @Test
    void aCancelledExchangeIsAbandonedWithAReset() throws Exception {
        try (CloseableHttpClient client = client()) {
            HttpGet stalled = new HttpGet(server.uri("/stall"));
            CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
                try {
                    client.execute(stalled, response -> null);
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            await().atMost(5, TimeUnit.SECONDS).until(() -> server.requests() == 1);
            stalled.cancel();
            assertThat(failure.get(5, TimeUnit.SECONDS)).isNotNull();
            assertThat(counters.closed(server.route(), ConnectionCloseReason.ABANDONED)).as(counters::toString).isEqualTo(1);
            assertThat(counters.resets(server.route())).as(counters::toString).isEqualTo(1);
            assertCountsMatchTheServer();
        }
    }

    @Test
    void aListenerThatThrowsIsLoggedAndTheRequestGoesOn() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.abortguard.client.ConnectionListener");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            ConnectionListener broken = new ConnectionListener() {
                @Override
                public void onOpened(String route) {
                    throw new IllegalStateException("broken listener");
                }
            };
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .addConnectionListener(broken).addConnectionListener(counters).build();
            try (CloseableHttpClient client = client(policy, Duration.ofSeconds(5))) {
                assertThat(get(client, server.uri("/ok"))).isEqualTo("ok");
            }
            assertThat(counters.opened(server.route())).as(counters::toString).isEqualTo(1);
            assertThat(lines.list).singleElement().satisfies(line -> {
                assertThat(line.getLevel()).isEqualTo(Level.WARN);
                assertThat(line.getFormattedMessage()).contains("ConnectionListener").contains("threw; ignored");
                assertThat(line.getThrowableProxy().getMessage()).isEqualTo("broken listener");
            });
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void theReadmeSnippetCountsConnections() throws Exception {
        // README "Connection churn", as written
        ConnectionCounters connections = new ConnectionCounters();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .addConnectionListener(connections)          // or new MicrometerConnectionMetrics(registry)
                .build();
        PoolingHttpClientConnectionManager pool =
                policy.instrument(PoolingHttpClientConnectionManagerBuilder.create()).build();
        CloseableHttpClient client =
                policy.wrap(policy.instrument(HttpClients.custom().setConnectionManager(pool)).build());
        try (client) {
            assertThat(get(client, server.uri("/close"))).isEqualTo("ok");
        }
        assertThat(connections.opened(server.route())).isEqualTo(1);
        assertThat(connections.closed(server.route(), ConnectionCloseReason.SERVER_CONNECTION_CLOSE)).isEqualTo(1);
    }

    @Test
    void instrumentingAPoolBuilderReturnsItAndANullConnectionListenerFailsAtBuild() {
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create();
        assertThat(TimeoutRecoveryPolicy.builder().build().instrument(pool)).isSameAs(pool);
        assertThatThrownBy(() -> TimeoutRecoveryPolicy.builder().addConnectionListener(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("addConnectionListener");
    }
}
