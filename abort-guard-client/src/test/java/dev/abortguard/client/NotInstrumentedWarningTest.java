package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.abortguard.client.ledger.LedgerServer;
import java.util.List;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Issue 15, item 3: a wrapped client that was not instrumented says so, once; the right forms say nothing. */
class NotInstrumentedWarningTest {

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger policyLog = (Logger) LoggerFactory.getLogger("dev.abortguard.client.TimeoutRecoveryPolicy");
    private LedgerServer server;

    @BeforeEach
    void start() throws Exception {
        server = new LedgerServer();
        logs.start();
        policyLog.addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        policyLog.detachAppender(logs);
        server.close();
    }

    private void pay(CloseableHttpClient client, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            HttpPost post = new HttpPost(server.baseUri() + "/payments");
            post.setEntity(new StringEntity("order=" + i, ContentType.TEXT_PLAIN));
            client.execute(post, r -> EntityUtils.toString(r.getEntity()));
        }
    }

    private List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aClientThatWasNotInstrumentedIsNamedOnceAtItsFirstCoveredExchange() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build();
        try (CloseableHttpClient halfRight = policy.wrap(HttpClients.custom().build())) {
            pay(halfRight, 3);
        }
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0)).contains("was not built from policy.instrument(builder)")
                .contains("policy.wrap(HttpClients.custom())");
    }

    @Test
    void theInstrumentedFormsSayNothing() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build();
        try (CloseableHttpClient oneCall = policy.wrap(HttpClients.custom());
                CloseableHttpClient twoCalls = policy.wrap(policy.instrument(HttpClients.custom()).build())) {
            pay(oneCall, 2);
            pay(twoCalls, 2);
        }
        assertThat(warnings()).isEmpty();
    }
}
