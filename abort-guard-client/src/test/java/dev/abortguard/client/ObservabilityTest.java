package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.BasicHttpClientResponseHandler;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logs, counters and meters, read from real appenders and registries. */
class ObservabilityTest {

    LedgerServer server;
    CloseableHttpClient side;
    ListAppender<ILoggingEvent> unresolvedLog;
    ListAppender<ILoggingEvent> engineLog;

    @BeforeEach
    void start() throws Exception {
        server = new LedgerServer();
        side = LedgerClients.sideChannel();
        unresolvedLog = capture("dev.abortguard.client.UnresolvedOutcome");
        engineLog = capture(RecoveryEngine.class.getName());
    }

    @AfterEach
    void stop() throws Exception {
        release("dev.abortguard.client.UnresolvedOutcome", unresolvedLog);
        release(RecoveryEngine.class.getName(), engineLog);
        side.close();
        server.close();
    }

    static ListAppender<ILoggingEvent> capture(String name) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(name)).addAppender(appender);
        return appender;
    }

    static void release(String name, ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(name)).detachAppender(appender);
    }

    CloseableHttpClient client(TimeoutRecoveryPolicy policy) {
        return policy.wrap(policy.instrument(LedgerClients.builder(LedgerClients.pool(), Duration.ofMillis(300))).build());
    }

    HttpPost payment() {
        HttpPost post = new HttpPost(server.baseUri() + "/payments");
        post.setEntity(new StringEntity("amount=40"));
        return post;
    }

    @Test
    void defaultUnresolvedHandlerWritesExactlyOneWarnLineWithTheKey() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build();

        TimeoutRecoveryException failure;
        try (CloseableHttpClient client = client(policy)) {
            failure = catchThrowableOfType(TimeoutRecoveryException.class,
                    () -> client.execute(payment(), new BasicHttpClientResponseHandler()));
        }

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        List<ILoggingEvent> events = unresolvedLog.list;
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage())
                    .contains("key=" + failure.idempotencyKey(), "POST " + server.baseUri() + "/payments", "phase=OUTCOME_UNKNOWN")
                    .doesNotContain("\n");
            assertThat(event.getThrowableProxy()).as("no stack trace").isNull();
        });
    }

    @Test
    void aThrowingUnresolvedHandlerIsLoggedWithTheKeyAndTheCallerStillGetsTheException() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .unresolvedOutcomeHandler(e -> {
                    throw new IllegalStateException("reconciliation table down");
                })
                .build();

        TimeoutRecoveryException failure;
        try (CloseableHttpClient client = client(policy)) {
            failure = catchThrowableOfType(TimeoutRecoveryException.class,
                    () -> client.execute(payment(), new BasicHttpClientResponseHandler()));
        }

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(engineLog.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.ERROR);
            assertThat(event.getFormattedMessage()).contains("key=" + failure.idempotencyKey());
        });
    }

    @Test
    void aThrowingListenerNeverChangesTheOutcome() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        RecoveryCounters counters = new RecoveryCounters();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .addListener(new RecoveryListener() {
                    @Override
                    public void onFailure(RecoveryContext context) {
                        throw new IllegalStateException("listener bug");
                    }
                })
                .addListener(counters)
                .build();

        try (CloseableHttpClient client = client(policy)) {
            assertThat(client.execute(payment(), new BasicHttpClientResponseHandler())).startsWith("paid ");
        }
        assertThat(counters.failures(FailurePhase.OUTCOME_UNKNOWN)).isEqualTo(1);
        assertThat(counters.outcomes(RecoveryOutcome.COMPLETED)).isEqualTo(1);
        assertThat(engineLog.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN);
    }

    @Test
    void micrometerAdapterCountsFailuresStepsAndOutcomesByTag() throws Exception {
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
    }
}
