package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import java.time.Duration;
import java.util.List;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 6: recovery that stops because the next status check would start after the
 * recovery timeout said "recovery timeout 2000ms passed" at +1709ms. The trail must say what
 * happened.
 */
class TrailWordingTest {

    @Test
    void stoppingBeforeTheTimeoutSaysTheNextCheckWouldNotFit() throws Exception {
        try (LedgerServer server = new LedgerServer(); CloseableHttpClient side = LedgerClients.sideChannel()) {
            server.pendingChecks(1000);
            server.script((key, arrival) -> Behavior.PENDING_THEN_STALL);
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .mode(RecoveryMode.STATUS_CHECK)
                    .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                    .statusCheckBackoff(Duration.ofMillis(600), Duration.ofMillis(600))
                    .jitter(0)
                    .recoveryTimeout(Duration.ofMillis(1000))
                    .build();
            try (PoolingHttpClientConnectionManager pool = LedgerClients.pool();
                    CloseableHttpClient client = policy.wrap(LedgerClients.builder(pool, Duration.ofMillis(200)))) {
                HttpPost post = new HttpPost(server.baseUri() + "/payments");
                post.setEntity(new StringEntity("order=trail", ContentType.TEXT_PLAIN));
                TimeoutRecoveryException e = catchThrowableOfType(() -> client.execute(post, r -> r.getCode()),
                        TimeoutRecoveryException.class);

                List<RecoveryStep> trail = e.trail();
                RecoveryStep last = trail.get(trail.size() - 1);
                assertThat(e.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
                assertThat(last.result()).isEqualTo("stopped: the next check would start after the recovery timeout (1000ms)");
                assertThat(last.result()).doesNotContain("passed");
            }
        }
    }
}
