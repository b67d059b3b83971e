package dev.abortguard.client.connections;

import dev.abortguard.client.RecoveryCounters;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import java.io.IOException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HttpClient 5's default retry strategy resends a POST with a repeatable body on any 503 or 429
 * (after a second, or the Retry-After), with no proof it was not processed: under the policy a
 * covered request is resent by the policy's rules only, and an uncovered one keeps HttpClient's
 * default behaviour.
 */
class HttpClientRetryUnderThePolicyTest {

    private ScriptedServer server;
    private final RecoveryCounters counters = new RecoveryCounters();

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private CloseableHttpClient client() {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().addListener(counters).build();
        // a typical service's client: HttpClient's default retry strategy left on
        return policy.wrap(policy.instrument(HttpClients.custom()
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(5)).build()))
                .build());
    }

    private static HttpPost post(String uri) {
        HttpPost post = new HttpPost(uri);
        post.setEntity(new StringEntity("{\"amount\":1}", ContentType.APPLICATION_JSON));
        return post;
    }

    @Test
    void aCoveredPostAnsweredWithAPlain503IsSentOnce() throws Exception {
        try (CloseableHttpClient client = client()) {
            int status = client.execute(post(server.uri("/unavailable")), response -> response.getCode());
            assertThat(status).isEqualTo(503);
        }
        // a plain 503 proves nothing: the POST may have been processed, so nobody sends it again
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void aCoveredPostAnswered429IsRetriedByThePolicyAloneUnderItsBudgetAndAttempts() throws Exception {
        try (CloseableHttpClient client = client()) {
            int status = client.execute(post(server.uri("/too-many")), response -> response.getCode());
            assertThat(status).isEqualTo(429);
        }
        // every request the server saw is one the policy sent: the first and its own retries
        assertThat(server.requests()).isEqualTo(1 + counters.retries());
        assertThat(counters.retryAfterAnswers()).isEqualTo(server.requests());
    }

    @Test
    void anUncoveredRequestKeepsHttpClientsDefaultRetry() throws Exception {
        try (CloseableHttpClient client = client()) {
            org.apache.hc.client5.http.classic.methods.HttpGet get =
                    new org.apache.hc.client5.http.classic.methods.HttpGet(server.uri("/too-many"));
            int status = client.execute(get, response -> response.getCode());
            assertThat(status).isEqualTo(429);
        }
        // HttpClient's default: one retry after the Retry-After
        assertThat(server.requests()).isEqualTo(2);
    }
}
