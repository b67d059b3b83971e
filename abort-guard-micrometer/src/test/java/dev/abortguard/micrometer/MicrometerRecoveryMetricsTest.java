package dev.abortguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.BasicHttpClientResponseHandler;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client adapter against a real local ledger server that really stalls. */
class MicrometerRecoveryMetricsTest {

    LedgerServer server;
    CloseableHttpClient side;

    @BeforeEach
    void start() throws Exception {
        server = new LedgerServer();
        side = LedgerClients.sideChannel();
    }

    @AfterEach
    void stop() throws Exception {
        side.close();
        server.close();
    }

    private CloseableHttpClient client(TimeoutRecoveryPolicy policy) {
        return policy.wrap(policy.instrument(LedgerClients.builder(LedgerClients.pool(), Duration.ofMillis(300))).build());
    }

    private HttpPost payment() {
        HttpPost post = new HttpPost(server.baseUri() + "/payments");
        post.setEntity(new StringEntity("amount=40"));
        return post;
    }

    @Test
    void countsFailuresStepsAndOutcomesByTag() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.DROP_BEFORE_RECORD : Behavior.ANSWER);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .addListener(new MicrometerRecoveryMetrics(registry))
                .build();

        try (CloseableHttpClient client = client(policy)) {
            client.execute(payment(), new BasicHttpClientResponseHandler());
        }

        assertThat(registry.get("abortguard.client.failures").tag("phase", "outcome_unknown").counter().count()).isEqualTo(1);
        assertThat(registry.get("abortguard.client.steps").tag("step", "status_check").tag("result", "not_applied").counter().count()).isEqualTo(1);
        assertThat(registry.get("abortguard.client.steps").tag("step", "resend").counter().count()).isEqualTo(1);
        assertThat(registry.get("abortguard.client.outcomes").tag("outcome", "resent").counter().count()).isEqualTo(1);
        assertThat(registry.find("abortguard.client.outcomes").tag("outcome", "unresolved").counter()).isNull();
        assertThat(registry.find("abortguard.client.steps").tag("step", "retry").counter())
                .as("a step that never happened has no meter").isNull();
        assertThat(registry.get(MicrometerRecoveryMetrics.FAILURES).counter().getId().getDescription()).isNotBlank();
        assertThat(registry.get(MicrometerRecoveryMetrics.OUTCOMES).counter().getId().getDescription()).isNotBlank();
        assertThat(registry.get(MicrometerRecoveryMetrics.STEPS).counters())
                .allSatisfy(counter -> assertThat(counter.getId().getDescription()).isNotBlank());
    }

    @Test
    void repeatedStepsIncrementTheSameCounters() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.DROP_BEFORE_RECORD : Behavior.ANSWER);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .addListener(new MicrometerRecoveryMetrics(registry))
                .build();

        try (CloseableHttpClient client = client(policy)) {
            for (int i = 0; i < 3; i++) {
                client.execute(payment(), new BasicHttpClientResponseHandler());
            }
        }

        assertThat(registry.find("abortguard.client.failures").counters()).hasSize(1);
        assertThat(registry.get("abortguard.client.failures").counter().count()).isEqualTo(3);
        assertThat(registry.get("abortguard.client.outcomes").tag("outcome", "resent").counter().count()).isEqualTo(3);
    }

    @Test
    void aNullRegistryIsRejected() {
        assertThatThrownBy(() -> new MicrometerRecoveryMetrics(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("registry");
    }
}
