package dev.abortguard.client.connections;

import dev.abortguard.client.AsyncTimeoutRecovery;
import dev.abortguard.client.ConnectionCloseReason;
import dev.abortguard.client.ConnectionCounters;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code policy.instrument(HttpAsyncClientBuilder)}: HttpClient's own retry leaves covered
 * requests to the policy, and the async connections are counted against what a real server saw.
 */
class AsyncInstrumentTest {

    private ScriptedServer server;
    private final ConnectionCounters connections = new ConnectionCounters();

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private static HttpAsyncClientBuilder builder(long responseTimeoutMillis) {
        return HttpAsyncClients.custom().setDefaultRequestConfig(
                RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(responseTimeoutMillis)).build());
    }

    private AsyncTimeoutRecovery recovery(TimeoutRecoveryPolicy policy, HttpAsyncClientBuilder builder) {
        CloseableHttpAsyncClient client = builder.build();
        client.start();
        return policy.wrapAsync(client);
    }

    private SimpleHttpRequest post(String path) {
        return SimpleRequestBuilder.post(server.uri(path)).setBody("{\"amount\":1}", ContentType.APPLICATION_JSON).build();
    }

    @Test
    void aCoveredPostAnsweredWithAPlain503IsSentOnceOnlyWhenTheBuilderIsInstrumented() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build();
        try (AsyncTimeoutRecovery recovery = recovery(policy, policy.instrument(builder(5000)))) {
            assertThat(recovery.execute(post("/unavailable")).get(10, TimeUnit.SECONDS).getCode()).isEqualTo(503);
        }
        assertThat(server.requests()).isEqualTo(1);
        // HttpClient 5's own default, for contrast: the same POST, sent twice on a plain 503
        try (AsyncTimeoutRecovery recovery = recovery(policy, builder(5000))) {
            assertThat(recovery.execute(post("/unavailable")).get(10, TimeUnit.SECONDS).getCode()).isEqualTo(503);
        }
        assertThat(server.requests()).isEqualTo(3);
    }

    @Test
    void asyncConnectionsAreCountedOpenedAndClosedWithTheTimeoutSeen() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().addConnectionListener(connections).build();
        try (AsyncTimeoutRecovery recovery = recovery(policy, policy.instrument(builder(300)))) {
            for (int i = 0; i < 3; i++) {
                SimpleHttpRequest get = SimpleRequestBuilder.get(server.uri("/ok")).build();
                assertThat(recovery.execute(get).get(10, TimeUnit.SECONDS).getBodyText()).isEqualTo("ok");
            }
            // HttpClient's async pool releases a connection after completing the future, so the next
            // request may lease a second one: what counts is that the client saw what the server saw
            await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertThat(connections.opened(server.route()))
                    .as(connections::toString).isEqualTo(server.accepted()).isBetween(1L, 3L));
            SimpleHttpRequest stalled = SimpleRequestBuilder.get(server.uri("/stall")).build();
            assertThatThrownBy(() -> recovery.execute(stalled).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
            await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertThat(
                    connections.closed(server.route(), ConnectionCloseReason.RESPONSE_TIMEOUT))
                    .as(connections::toString).isEqualTo(1));
        }
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(server.ended()).isEqualTo(server.accepted());
            assertThat(connections.opened(server.route())).as(connections::toString).isEqualTo(server.accepted());
            assertThat(connections.closed(server.route())).as(connections::toString).isEqualTo(server.ended());
        });
    }
}
