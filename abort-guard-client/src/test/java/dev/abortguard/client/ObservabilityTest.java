package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import dev.abortguard.client.ledger.LedgerServer;
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
        engineLog = capture("dev.abortguard.client.RecoveryEngine");
    }

    @AfterEach
    void stop() throws Exception {
        release("dev.abortguard.client.UnresolvedOutcome", unresolvedLog);
        release("dev.abortguard.client.RecoveryEngine", engineLog);
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
    void theDefaultWarnLineCleansAndBoundsTheKeyAndTheRequestLine() {
        // a custom adapter may feed the default handler whatever key its caller used
        String key = "line1\r\nFORGED WARN line\u001b[31m\u2028\u2029\u202E\u2066" + "k".repeat(100_000);
        TimeoutRecoveryException hostile = new TimeoutRecoveryException(
                "PO\nST http://h/p?q=\u202Eevil", key, FailurePhase.OUTCOME_UNKNOWN, RecoveryOutcome.UNRESOLVED,
                List.of(new RecoveryStep(Duration.ZERO, "attempt 1", "reset: \r\nforged")), new java.io.IOException("x"));

        UnresolvedOutcomeHandler.logWarning().onUnresolved(hostile);

        assertThat(unresolvedLog.list).singleElement().satisfies(event -> {
            String line = event.getFormattedMessage();
            assertThat(line).doesNotContain("\r", "\n", "\u001b", "\u2028", "\u2029", "\u202E", "\u2066")
                    .contains("key=line1__FORGED WARN line_[31m____kkk", "PO_ST http://h/p?q=_evil", "reset: __forged");
            assertThat(line.length()).as("a 100 KB key is bounded").isLessThan(1000);
        });
        assertThat(hostile.getMessage()).as("what a caller's log prints")
                .doesNotContain("\r", "\n", "\u001b", "\u2028", "\u202E").hasSizeLessThan(1000);
        assertThat(hostile.idempotencyKey()).isEqualTo(key);
    }

    @Test
    void aRequestLineWithBidiControlsIsCleanedInTheWarnLine() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build();
        HttpPost post = new HttpPost(server.baseUri() + "/payments?note=\u202Edecnac\u2066");
        post.setEntity(new StringEntity("amount=41"));

        try (CloseableHttpClient client = client(policy)) {
            catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(post, new BasicHttpClientResponseHandler()));
        }

        assertThat(unresolvedLog.list).singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                .contains("/payments?note=_decnac_").doesNotContain("\u202E", "\u2066"));
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

    /** A listener whose every callback throws what {@code failure} makes. */
    static RecoveryListener throwing(java.util.function.Supplier<? extends Throwable> failure) {
        return new RecoveryListener() {
            @Override
            public void onFailure(RecoveryContext context) {
                sneakyThrow(failure.get());
            }

            @Override
            public void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {
                sneakyThrow(failure.get());
            }

            @Override
            public String toString() {
                return "throwing listener";
            }
        };
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    static int recurse(int depth) {
        return recurse(depth + 1) + 1; // a real stack overflow, not a constructed one
    }

    @Test
    void aListenerThatThrowsAnErrorOrACheckedExceptionNeitherSkipsTheHandlerNorChangesTheOutcome() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        RecoveryCounters counters = new RecoveryCounters();
        List<TimeoutRecoveryException> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .unresolvedOutcomeHandler(handled::add)
                .addListener(throwing(() -> new AssertionError("listener assertion")))
                .addListener(throwing(() -> new java.io.IOException("checked, thrown sneakily")))
                .addListener(counters)
                .build();

        TimeoutRecoveryException failure;
        try (CloseableHttpClient client = client(policy)) {
            failure = catchThrowableOfType(TimeoutRecoveryException.class,
                    () -> client.execute(payment(), new BasicHttpClientResponseHandler()));
        }

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(handled).containsExactly(failure);
        assertThat(counters.failures(FailurePhase.OUTCOME_UNKNOWN)).isEqualTo(1);
        assertThat(counters.outcomes(RecoveryOutcome.UNRESOLVED)).as("later listeners still see the outcome").isEqualTo(1);
        // onFailure and onOutcome of each throwing listener: one WARN line per failure, each with its throwable
        assertThat(engineLog.list).hasSize(4).allSatisfy(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("throwing listener");
            assertThat(event.getThrowableProxy()).isNotNull();
        });
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"stack overflow", "direct memory"})
    void aVirtualMachineErrorOfAListenerIsRethrownOnlyAfterTheHandlerRanAndTheOutcomeWasDelivered(String kind) throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        RecoveryCounters counters = new RecoveryCounters();
        List<TimeoutRecoveryException> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .unresolvedOutcomeHandler(handled::add)
                .addListener(new RecoveryListener() {
                    @Override
                    public void onFailure(RecoveryContext context) {
                        if (kind.equals("stack overflow")) {
                            recurse(0);
                        }
                        throw new OutOfMemoryError("Direct buffer memory"); // as java.nio.Bits throws it
                    }
                })
                .addListener(counters)
                .build();

        Throwable thrown;
        try (CloseableHttpClient client = client(policy)) {
            thrown = org.assertj.core.api.Assertions.catchThrowable(
                    () -> client.execute(payment(), new BasicHttpClientResponseHandler()));
        }

        assertThat(thrown).isInstanceOf(kind.equals("stack overflow") ? StackOverflowError.class : OutOfMemoryError.class);
        assertThat(handled).as("the handler ran before the error reached the caller").singleElement()
                .satisfies(e -> assertThat(e.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED));
        if (kind.equals("direct memory")) {
            // a StackOverflowError made by the VM has suppression disabled; one made by code has not
            assertThat(thrown.getSuppressed()).as("the outcome travels with the error").containsExactly(handled.get(0));
        }
        assertThat(counters.outcomes(RecoveryOutcome.UNRESOLVED)).isEqualTo(1);
    }

    @Test
    void aVirtualMachineErrorOfAListenerAfterASuccessReleasesTheResponse() throws Exception {
        // NOT_APPLIED, resent, answered: the resend's response streams from a pooled connection
        server.script((key, arrival) -> arrival == 1 ? Behavior.DROP_BEFORE_RECORD : Behavior.ANSWER);
        org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager pool = LedgerClients.pool();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .bufferResponseBody(false)
                .addListener(new RecoveryListener() {
                    @Override
                    public void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {
                        recurse(0);
                    }
                })
                .build();

        try (CloseableHttpClient client = policy.wrap(policy.instrument(LedgerClients.builder(pool, Duration.ofMillis(300))).build())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.execute(payment()))
                    .isInstanceOf(StackOverflowError.class);
            // nobody receives the response: it must not keep its pooled connection
            assertThat(pool.getTotalStats().getLeased()).as("leased connections").isZero();
            assertThat(server.records(server.arrivalLog().get(0))).isEqualTo(1);
        }
    }

}
