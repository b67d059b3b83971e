package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import dev.abortguard.client.ledger.LedgerServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/** Spring's RestClient and RestTemplate over the wrapped client: recovery without code changes. */
class SpringRestClientTest {

    LedgerServer server;
    CloseableHttpClient side;
    CloseableHttpClient client;
    List<TimeoutRecoveryException> unresolved;

    @BeforeEach
    void start() throws Exception {
        server = new LedgerServer();
        side = LedgerClients.sideChannel();
        unresolved = new CopyOnWriteArrayList<>();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        side.close();
        server.close();
    }

    RestClient restClient(RecoveryMode mode) {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(mode)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .unresolvedOutcomeHandler(unresolved::add)
                .build();
        client = policy.wrap(policy.instrument(LedgerClients.builder(LedgerClients.pool(), Duration.ofMillis(300))).build());
        return RestClient.builder()
                .baseUrl(server.baseUri())
                .requestFactory(new HttpComponentsClientHttpRequestFactory(client))
                .build();
    }

    @Test
    void restClientGetsTheRecoveredAnswerAfterAStall() {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);

        RestClient rest = restClient(RecoveryMode.STATUS_CHECK);
        long start = System.nanoTime();
        String body = rest.post().uri("/payments").body("amount=50").retrieve().body(String.class);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // The client's 300 ms response timeout must survive Spring's per-request config (the ledger
        // would otherwise stall for 30 s before closing).
        assertThat(took).isLessThan(Duration.ofSeconds(10));
        assertThat(body).startsWith("paid ").endsWith("amount=50 DONE");
        assertThat(server.records(body.split(" ")[1])).isEqualTo(1);
    }

    @Test
    void restClientSeesAnUnresolvedOutcomeAsResourceAccessExceptionCarryingTheKey() {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);

        assertThatThrownBy(() -> restClient(RecoveryMode.REPORT_ONLY).post().uri("/payments").body("amount=51").retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOfSatisfying(TimeoutRecoveryException.class, e -> {
                    assertThat(e.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
                    assertThat(unresolved).containsExactly(e);
                });
    }

    @Test
    void restTemplateGets404Unchanged() {
        restClient(RecoveryMode.STATUS_CHECK);
        RestTemplate template = new RestTemplate(new HttpComponentsClientHttpRequestFactory(client));

        assertThatThrownBy(() -> template.postForObject(server.baseUri() + "/status/404", "x", String.class))
                .isInstanceOfSatisfying(HttpClientErrorException.class, e -> assertThat(e.getStatusCode().value()).isEqualTo(404));
        assertThat(server.statusRequests()).isZero();
    }
}
