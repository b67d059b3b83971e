package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 2: a real server holds the first request unrecorded and invisible to its status
 * API (404) for 800 ms, longer than the client's 300 ms timeout — a request queued in front of its
 * handler. Believing the 404 at once resends and the payment runs twice; with a not-applied horizon
 * longer than the hold, the 404 counts as PENDING, the original is found once recorded, and it runs
 * once.
 */
class NotAppliedHorizonTest {

    static final long HOLD_MILLIS = 800;

    LedgerServer server;
    CloseableHttpClient side;
    final List<List<Duration>> sentTimesSeen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new LedgerServer();
        server.holdMillis(HOLD_MILLIS);
        side = LedgerClients.sideChannel();
        server.script((key, arrival) -> arrival == 1 ? Behavior.HOLD_UNRECORDED : Behavior.ANSWER);
    }

    @AfterEach
    void stop() throws Exception {
        side.close();
        server.close();
    }

    private TimeoutRecoveryPolicy policy(Duration horizon) {
        return TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(ctx -> {
                    sentTimesSeen.add(ctx.attemptsSentAt());
                    return side.execute(new HttpGet(server.baseUri() + "/payments/" + ctx.idempotencyKey()),
                            response -> switch (response.getCode()) {
                                case 200 -> StatusDecision.completed(response);
                                case 404 -> StatusDecision.notApplied();
                                case 202 -> StatusDecision.pending();
                                default -> StatusDecision.unknown();
                            });
                })
                .statusCheckBackoff(Duration.ofMillis(100), Duration.ofMillis(200))
                .notAppliedHorizon(horizon)
                .recoveryTimeout(Duration.ofSeconds(5))
                .build();
    }

    private String pay(TimeoutRecoveryPolicy policy, String key) throws Exception {
        try (PoolingHttpClientConnectionManager pool = LedgerClients.pool();
                CloseableHttpClient client = policy.wrap(policy.instrument(
                        LedgerClients.builder(pool, Duration.ofMillis(300))).build())) {
            HttpPost post = new HttpPost(server.baseUri() + "/payments");
            post.setHeader("Idempotency-Key", key);
            post.setEntity(new StringEntity("order=" + key, ContentType.TEXT_PLAIN));
            return client.execute(post, r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));
        }
    }

    @Test
    void withoutAHorizonTheHeldOriginalAndTheResendBothRun() throws Exception {
        String answer = pay(policy(Duration.ZERO), "no-horizon");

        assertThat(answer).startsWith("201 paid no-horizon");
        // the held original is recorded when its hold ends: the payment ran twice
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records("no-horizon") == 2);
        assertThat(server.arrivals("no-horizon")).isEqualTo(2);
    }

    @Test
    void aHorizonLongerThanTheHoldFindsTheOriginalAndRunsItOnce() throws Exception {
        String answer = pay(policy(Duration.ofMillis(1500)), "horizon");

        assertThat(answer).isEqualTo("200 paid horizon order=horizon DONE");
        assertThat(server.records("horizon")).isEqualTo(1);
        assertThat(server.arrivals("horizon")).as("no resend").isEqualTo(1);
        assertThat(sentTimesSeen).isNotEmpty().allSatisfy(times -> assertThat(times).hasSize(1));
        assertThat(sentTimesSeen.get(0).get(0)).isLessThan(Duration.ofMillis(300));
    }

    @Test
    void aHorizonIsCheckedAtBuild() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TimeoutRecoveryPolicy.builder()
                        .notAppliedHorizon(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("notAppliedHorizon must be zero or positive");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TimeoutRecoveryPolicy.builder()
                        .recoveryTimeout(Duration.ofSeconds(2)).notAppliedHorizon(Duration.ofSeconds(2)).build())
                .hasMessageContaining("notAppliedHorizon (PT2S) must be shorter than recoveryTimeout (PT2S)");
    }
}
