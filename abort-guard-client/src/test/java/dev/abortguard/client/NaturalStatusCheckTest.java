package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import java.time.Duration;
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
 * Issue 15, item 1: the status check as a new user writes it — {@code completed(response)} inside the
 * status client's response handler — hands the caller the status endpoint's response. On main
 * before the fix it ended "status-check response unreadable: StreamClosedException" (the handler
 * closed the entity before the policy read it) and the caller got a TimeoutRecoveryException.
 */
class NaturalStatusCheckTest {

    LedgerServer server;
    CloseableHttpClient side;

    @BeforeEach
    void start() throws Exception {
        server = new LedgerServer();
        side = LedgerClients.sideChannel();
        server.script((key, arrival) -> arrival == 1 ? Behavior.STALL_AFTER_RECORD : Behavior.ANSWER);
    }

    @AfterEach
    void stop() throws Exception {
        side.close();
        server.close();
    }

    @Test
    void completedWithTheResponseInsideTheHandlerReachesTheCaller() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(ctx -> side.execute(new HttpGet(server.baseUri() + "/payments/" + ctx.idempotencyKey()),
                        response -> switch (response.getCode()) {
                            case 200 -> StatusDecision.completed(response); // the natural form
                            case 404 -> StatusDecision.notApplied();
                            case 202 -> StatusDecision.pending();
                            default -> StatusDecision.unknown();
                        }))
                .recoveryTimeout(Duration.ofSeconds(5))
                .build();
        try (PoolingHttpClientConnectionManager pool = LedgerClients.pool();
                CloseableHttpClient client = policy.wrap(policy.instrument(
                        LedgerClients.builder(pool, Duration.ofMillis(300))).build())) {
            HttpPost post = new HttpPost(server.baseUri() + "/payments");
            post.setHeader("Idempotency-Key", "natural-1");
            post.setEntity(new StringEntity("order=natural-1", ContentType.TEXT_PLAIN));

            String answer = client.execute(post, r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));

            assertThat(answer).isEqualTo("200 paid natural-1 order=natural-1 DONE");
            assertThat(server.records("natural-1")).isEqualTo(1);
        }
    }

    @Test
    void aStatusBodyOverTheLimitCountsAsUnknownNotAsACrash() {
        org.apache.hc.core5.http.message.BasicClassicHttpResponse big =
                new org.apache.hc.core5.http.message.BasicClassicHttpResponse(200);
        big.setEntity(new org.apache.hc.core5.http.io.entity.InputStreamEntity(
                new java.io.ByteArrayInputStream(new byte[StatusDecision.MAX_BODY_BYTES + 1]), ContentType.TEXT_PLAIN));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StatusDecision.completed(big))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("over " + StatusDecision.MAX_BODY_BYTES);
    }
}
