package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LedgerRecoveryTest {

  LedgerServer server;
  CloseableHttpClient side;
  PoolingHttpClientConnectionManager pool;
  RecoveryCounters counters;
  CloseableHttpClient client;

  @BeforeEach
  void start() throws Exception {
    server = new LedgerServer();
    side = LedgerClients.sideChannel();
    pool = LedgerClients.pool();
    counters = new RecoveryCounters();
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    side.close();
    server.close();
  }

  CloseableHttpClient client(TimeoutRecoveryPolicy policy) {
    client = policy.wrap(policy.instrument(LedgerClients.builder(pool, Duration.ofMillis(300))).build());
    return client;
  }

  TimeoutRecoveryPolicy.Builder statusCheckPolicy() {
    return TimeoutRecoveryPolicy.builder()
        .mode(RecoveryMode.STATUS_CHECK)
        .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
        .addListener(counters);
  }

  HttpPost payment(String body) {
    HttpPost post = new HttpPost(server.baseUri() + "/payments");
    post.setEntity(new StringEntity(body, ContentType.TEXT_PLAIN));
    return post;
  }

  @Test
  void stallAfterRecordIsResolvedByStatusCheckAsCompleted() throws Exception {
    server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
    CloseableHttpClient client = client(statusCheckPolicy().build());

    String body = client.execute(payment("amount=10"), r -> r.getCode() + " " + EntityUtils.toString(r.getEntity()));

    assertThat(body).startsWith("200 paid ").endsWith("amount=10 DONE");
    String key = body.split(" ")[2];
    assertThat(server.records(key)).isEqualTo(1);
    assertThat(server.arrivals(key)).isEqualTo(1);
    assertThat(counters.failures(FailurePhase.OUTCOME_UNKNOWN)).isEqualTo(1);
    assertThat(counters.outcomes(RecoveryOutcome.COMPLETED)).isEqualTo(1);
    assertThat(pool.getTotalStats().getLeased()).isZero();
  }
}
