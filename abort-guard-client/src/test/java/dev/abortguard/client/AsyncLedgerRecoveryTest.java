package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import dev.abortguard.client.ledger.LedgerServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.util.Timeout;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The async adapter against the same ledger. */
class AsyncLedgerRecoveryTest {

    LedgerServer server;
    CloseableHttpClient side;
    RecordingListener steps;
    List<TimeoutRecoveryException> unresolved;
    AsyncTimeoutRecovery recovery;

    @BeforeEach
    void start() throws Exception {
        server = new LedgerServer();
        side = LedgerClients.sideChannel();
        steps = new RecordingListener();
        unresolved = new CopyOnWriteArrayList<>();
    }

    @AfterEach
    void stop() throws Exception {
        if (recovery != null) {
            recovery.close();
        }
        side.close();
        server.close();
    }

    AsyncTimeoutRecovery recovery(RecoveryMode mode) {
        return recovery(mode, builder -> builder);
    }

    AsyncTimeoutRecovery recovery(RecoveryMode mode,
                                  java.util.function.UnaryOperator<TimeoutRecoveryPolicy.Builder> configure) {
        return recovery(mode, configure, Duration.ofMillis(300));
    }

    AsyncTimeoutRecovery recovery(RecoveryMode mode,
                                  java.util.function.UnaryOperator<TimeoutRecoveryPolicy.Builder> configure,
                                  Duration responseTimeout) {
        TimeoutRecoveryPolicy policy = configure.apply(TimeoutRecoveryPolicy.builder()
                .mode(mode)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .unresolvedOutcomeHandler(unresolved::add)
                .addListener(steps))
                .build();
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(responseTimeout)).build())
                .build();
        client.start();
        recovery = policy.wrapAsync(client);
        return recovery;
    }

    SimpleHttpRequest payment(String base, String body) {
        return SimpleRequestBuilder.post(base + "/payments").setBody(body, ContentType.TEXT_PLAIN).build();
    }

    SimpleHttpResponse await(java.util.concurrent.CompletableFuture<SimpleHttpResponse> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(value = Behavior.class, names = {"STALL_AFTER_RECORD", "RESET_AFTER_RECORD"})
    void recordedButUnansweredIsResolvedByStatusCheckAsCompleted(Behavior behavior) throws Exception {
        server.script((key, arrival) -> behavior);
        recovery(RecoveryMode.STATUS_CHECK);
        String amount = "amount=" + (30 + behavior.ordinal());

        SimpleHttpResponse response = await(recovery.execute(payment(server.baseUri(), amount)));

        assertThat(response.getCode()).isEqualTo(200);
        assertThat(response.getBodyText()).startsWith("paid ").endsWith(amount + " DONE");
        String key = response.getBodyText().split(" ")[1];
        assertThat(server.records(key)).isEqualTo(1);
        assertThat(server.arrivalLog()).as("never resent").containsExactly(key);
        assertThat(steps.failures).singleElement()
                .satisfies(f -> assertThat(f.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN));
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.COMPLETED);
    }

    @Test
    void exchangeDeadlineEndsADripAsOutcomeUnknownAndReachesTheHandler() throws Exception {
        recovery(RecoveryMode.REPORT_ONLY, builder -> builder.exchangeDeadline(Duration.ofSeconds(1)), Duration.ofMillis(900));
        SimpleHttpRequest drip = SimpleRequestBuilder.get(server.baseUri() + "/drip-head")
                .setHeader("Idempotency-Key", "async-drip").build();

        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> await(recovery.execute(drip)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure).isInstanceOf(ExecutionException.class);
        TimeoutRecoveryException unknown = (TimeoutRecoveryException) failure.getCause();
        // a 900 ms responseTimeout never fires on 100 ms gaps, even overrun; the 1 s deadline does
        // (generous upper bound)
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        assertThat(unknown.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
        assertThat(unknown.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(unknown.idempotencyKey()).isEqualTo("async-drip");
        assertThat(unknown.trail().get(0).result()).contains("exchange deadline");
        assertThat(unresolved).containsExactly(unknown);
    }

    @Test
    void dropBeforeRecordIsNotAppliedAndResentUnderTheSameKey() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.DROP_BEFORE_RECORD : Behavior.ANSWER);
        recovery(RecoveryMode.STATUS_CHECK);

        SimpleHttpResponse response = await(recovery.execute(payment(server.baseUri(), "amount=31")));

        assertThat(response.getCode()).isEqualTo(201);
        String key = response.getBodyText().split(" ")[1];
        assertThat(server.arrivalLog()).containsExactly(key, key);
        assertThat(server.records(key)).isEqualTo(1);
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.RESENT);
    }

    @Test
    void unknownOutcomeInReportOnlyFailsTheFutureAndReachesTheHandler() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        recovery(RecoveryMode.REPORT_ONLY);

        assertThatThrownBy(() -> await(recovery.execute(payment(server.baseUri(), "amount=32"))))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(TimeoutRecoveryException.class, e -> {
                    assertThat(e.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
                    assertThat(unresolved).containsExactly(e);
                    assertThat(server.records(e.idempotencyKey())).isEqualTo(1);
                });
    }

    @Test
    void connectionRefusedIsNeverSentAndReachesTheCallerAfterBoundedRetries() throws Exception {
        int closedPort = LedgerServer.closedPort(); // below the ephemeral range: no TCP self-connect
        recovery(RecoveryMode.STATUS_CHECK);

        assertThatThrownBy(() -> await(recovery.execute(payment("http://127.0.0.1:" + closedPort, "amount=33"))))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(java.net.ConnectException.class);
        assertThat(steps.failures).hasSize(3).allSatisfy(f -> assertThat(f.phase()).isEqualTo(FailurePhase.NEVER_SENT));
        assertThat(steps.statusChecks).isEmpty();
    }

    /** Holds the adapter's only recovery thread in the listener of the "holder" request's outcome. */
    static final class HoldingListener extends RecordingListener {
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void onOutcome(RecoveryContext context, RecoveryOutcome outcome) {
            super.onOutcome(context, outcome);
            if (context.idempotencyKey().equals("holder")) {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    AsyncTimeoutRecovery singleThreaded(HoldingListener listener, Duration recoveryTimeout, int queueCapacity) {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.STATUS_CHECK)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .recoveryTimeout(recoveryTimeout)
                .unresolvedOutcomeHandler(unresolved::add)
                .addListener(listener)
                .build();
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(300)).build())
                .build();
        client.start();
        recovery = new AsyncTimeoutRecovery(client, policy.settings(), 1, queueCapacity);
        return recovery;
    }

    SimpleHttpRequest payment(String key) {
        SimpleHttpRequest request = payment(server.baseUri(), "amount=" + key);
        request.setHeader("Idempotency-Key", key);
        return request;
    }

    static TimeoutRecoveryException recoveryFailure(CompletableFuture<SimpleHttpResponse> future) {
        Throwable thrown = catchThrowable(() -> future.get(10, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutRecoveryException.class);
        return (TimeoutRecoveryException) thrown.getCause();
    }

    @Test
    void recoveriesQueuedAtCloseOrRefusedByAFullQueueEndUnresolvedAndReachTheHandler() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        HoldingListener listener = new HoldingListener();
        singleThreaded(listener, Duration.ofSeconds(10), 1);

        CompletableFuture<SimpleHttpResponse> holder = recovery.execute(payment("holder"));
        assertThat(listener.holding.await(10, TimeUnit.SECONDS)).as("the recovery thread is busy").isTrue();
        CompletableFuture<SimpleHttpResponse> queued = recovery.execute(payment("queued"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> recovery.queuedRecoveries() == 1);
        CompletableFuture<SimpleHttpResponse> refused = recovery.execute(payment("refused"));

        TimeoutRecoveryException full = recoveryFailure(refused);
        assertThat(full.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(full.trail()).extracting(RecoveryStep::result).anySatisfy(r -> assertThat(r).contains("queue full"));
        assertThat(unresolved).containsExactly(full);

        recovery.close();

        TimeoutRecoveryException closed = recoveryFailure(queued);
        assertThat(closed.idempotencyKey()).isEqualTo("queued");
        assertThat(closed.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(closed.trail()).extracting(RecoveryStep::result).anySatisfy(r -> assertThat(r).contains("closed"));
        assertThat(unresolved).containsExactly(full, closed);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(holder::isDone);
        assertThat(server.records("queued")).isEqualTo(1);
    }

    @Test
    void refusedRecoveriesAreLoggedAtABoundedRateAndCountedExactly() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        HoldingListener listener = new HoldingListener();
        singleThreaded(listener, Duration.ofSeconds(10), 1);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
                ObservabilityTest.capture(AsyncTimeoutRecovery.class.getName());
        int refusals = 300;
        try {
            recovery.execute(payment("holder"));
            assertThat(listener.holding.await(10, TimeUnit.SECONDS)).as("the recovery thread is busy").isTrue();
            recovery.execute(payment("queued"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> recovery.queuedRecoveries() == 1);
            int closedPort = LedgerServer.closedPort();
            long start = System.nanoTime();
            List<CompletableFuture<SimpleHttpResponse>> refused = new java.util.ArrayList<>();
            for (int i = 0; i < refusals; i++) {
                refused.add(recovery.execute(payment("http://127.0.0.1:" + closedPort, "amount=" + i)));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> refused.stream().allMatch(CompletableFuture::isDone));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 1;
            assertThat(recovery.refusedRecoveries()).as("exact count").isEqualTo(refusals);

            // a line per one-second window at most, plus at most one summary per window
            long lines = log.list.stream().filter(e -> e.getMessage().startsWith("Recovery queue full")).count();
            assertThat(lines).as("queue-full lines in about %d s", seconds)
                    .isPositive()
                    .isLessThanOrEqualTo((seconds + 1) * AsyncTimeoutRecovery.MAX_REFUSAL_LINES_PER_SECOND);
            assertThat(log.list).allSatisfy(e -> assertThat(e.getThreadName()).as("logged on").doesNotStartWith("abort-guard"));

            listener.release.countDown();
            recovery.close();

            // every refusal is either a line or counted in a summary line
            long summarized = log.list.stream().filter(e -> e.getMessage().startsWith("Suppressed"))
                    .mapToLong(e -> ((Number) e.getArgumentArray()[0]).longValue()).sum();
            assertThat(lines + summarized).isEqualTo(refusals);
        } finally {
            ObservabilityTest.release(AsyncTimeoutRecovery.class.getName(), log);
        }
    }

    @Test
    void aRetryAfterAnswerStillQueuedAtCloseReachesTheCallerAsItIs() throws Exception {
        server.script((key, arrival) -> key.equals("holder") ? Behavior.STALL_AFTER_RECORD : Behavior.RETRY_AFTER_503);
        HoldingListener listener = new HoldingListener();
        singleThreaded(listener, Duration.ofSeconds(10), 1);

        recovery.execute(payment("holder"));
        assertThat(listener.holding.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<SimpleHttpResponse> busy = recovery.execute(payment("busy"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> recovery.queuedRecoveries() == 1);

        recovery.close();

        SimpleHttpResponse response = busy.get(10, TimeUnit.SECONDS);
        assertThat(response.getCode()).isEqualTo(503);
        assertThat(response.getBodyText()).isEqualTo("busy");
        assertThat(server.arrivals("busy")).isEqualTo(1);
    }

    @Test
    void theRecoveryTimeoutRunsFromTheFailureNotFromWhenAQueuedRecoveryStarts() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        HoldingListener listener = new HoldingListener();
        Duration recoveryTimeout = Duration.ofMillis(400);
        singleThreaded(listener, recoveryTimeout, 10);

        recovery.execute(payment("holder"));
        assertThat(listener.holding.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<SimpleHttpResponse> late = recovery.execute(payment("late"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> recovery.queuedRecoveries() == 1);
        long queuedAt = System.nanoTime();
        // the recovery waits in the queue for longer than its whole recovery timeout
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - queuedAt > recoveryTimeout.toNanos() + 100_000_000L);
        int checksBefore = server.statusRequests();
        listener.release.countDown();

        TimeoutRecoveryException failure = recoveryFailure(late);

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(failure.trail()).extracting(RecoveryStep::result).anySatisfy(r -> assertThat(r).contains("recovery timeout"));
        assertThat(server.statusRequests()).as("no status check after the recovery timeout").isEqualTo(checksBefore);
        assertThat(unresolved).containsExactly(failure);
    }

    @Test
    void uncoveredRequestsPassThrough() throws Exception {
        recovery(RecoveryMode.STATUS_CHECK);

        SimpleHttpResponse response = await(recovery.execute(SimpleRequestBuilder.get(server.baseUri() + "/status/404").build()));

        assertThat(response.getCode()).isEqualTo(404);
        assertThat(steps.failures).isEmpty();
    }
}
