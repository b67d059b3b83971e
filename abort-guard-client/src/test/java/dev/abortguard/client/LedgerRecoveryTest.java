package dev.abortguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.abortguard.client.internal.CallbackRunner;
import dev.abortguard.client.internal.CallbackRunnerTest;
import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import dev.abortguard.client.ledger.LedgerServer;
import java.io.ByteArrayInputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.HttpResponseException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.BasicHttpClientResponseHandler;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The classic client against a real ledger that stalls, resets and drops: each recovery path end
 * to end, checked against what the ledger recorded.
 */
class LedgerRecoveryTest {

    LedgerServer server;
    CloseableHttpClient side;
    PoolingHttpClientConnectionManager pool;
    RecordingListener steps;
    List<TimeoutRecoveryException> unresolved;
    CloseableHttpClient client;

    @BeforeEach
    void start() throws Exception {
        server = new LedgerServer();
        side = LedgerClients.sideChannel();
        pool = LedgerClients.pool();
        steps = new RecordingListener();
        unresolved = new CopyOnWriteArrayList<>();
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
        return client(policy, Duration.ofMillis(300));
    }

    CloseableHttpClient client(TimeoutRecoveryPolicy policy, Duration responseTimeout) {
        client = policy.wrap(policy.instrument(LedgerClients.builder(pool, responseTimeout)).build());
        return client;
    }

    TimeoutRecoveryPolicy.Builder policy(RecoveryMode mode) {
        return TimeoutRecoveryPolicy.builder()
                .mode(mode)
                .statusCheck(LedgerClients.statusCheck(side, server.baseUri()))
                .cancelAction(this::cancel)
                .statusCheckBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .unresolvedOutcomeHandler(unresolved::add)
                .addListener(steps);
    }

    CancelResult cancel(RecoveryContext context) throws java.io.IOException {
        HttpPost cancel = new HttpPost(server.baseUri() + "/payments/" + context.idempotencyKey() + "/cancel");
        return side.execute(cancel, response -> {
            switch (response.getCode()) {
                case 200: return CancelResult.CANCELED;
                case 409: return CancelResult.ALREADY_COMPLETED;
                default: return CancelResult.FAILED;
            }
        });
    }

    HttpPost payment(String body) {
        HttpPost post = new HttpPost(server.baseUri() + "/payments");
        post.setEntity(new StringEntity(body, ContentType.TEXT_PLAIN));
        return post;
    }

    static String text(ClassicHttpResponse response) throws java.io.IOException, org.apache.hc.core5.http.ParseException {
        return response.getCode() + " " + EntityUtils.toString(response.getEntity());
    }

    static String keyOf(String answer) {
        return answer.split(" ")[2];
    }

    void assertNoLeakedConnection() {
        // a connection cancelled by the deadline timer is released by that thread, possibly just after
        // the caller saw the failure: wait for the release instead of sampling once
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(pool.getTotalStats().getLeased()).as("leased connections").isZero());
    }

    @Test
    void stallAfterRecordIsResolvedByStatusCheckAsCompleted() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.STATUS_CHECK).build());

        String answer = client.execute(payment("amount=10"), LedgerRecoveryTest::text);

        assertThat(answer).startsWith("200 paid ").endsWith("amount=10 DONE");
        assertThat(server.records(keyOf(answer))).isEqualTo(1);
        assertThat(server.arrivals(keyOf(answer))).isEqualTo(1);
        assertThat(steps.failures).singleElement().satisfies(f -> {
            assertThat(f.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
            assertThat(f.cause()).isInstanceOf(SocketTimeoutException.class);
            assertThat(f.idempotencyKey()).isEqualTo(keyOf(answer));
        });
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.COMPLETED);
        assertThat(unresolved).isEmpty();
        assertNoLeakedConnection();
    }

    @Test
    void resetAfterRecordIsResolvedByStatusCheckAsCompleted() throws Exception {
        server.script((key, arrival) -> Behavior.RESET_AFTER_RECORD);
        client(policy(RecoveryMode.STATUS_CHECK).build());

        try (CloseableHttpResponse response = client.execute(payment("amount=11"))) {
            String answer = text(response);
            assertThat(answer).startsWith("200 paid ").endsWith("DONE");
            assertThat(server.records(keyOf(answer))).isEqualTo(1);
        }
        assertThat(steps.failures).singleElement().satisfies(f -> {
            assertThat(f.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
            assertThat(f.cause()).isInstanceOfAny(SocketException.class, NoHttpResponseException.class);
        });
        assertNoLeakedConnection();
    }

    @Test
    void dropBeforeRecordIsNotAppliedAndResentOnceUnderTheSameKey() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.DROP_BEFORE_RECORD : Behavior.ANSWER);
        client(policy(RecoveryMode.STATUS_CHECK).build());

        String answer = client.execute(payment("amount=12"), LedgerRecoveryTest::text);

        assertThat(answer).startsWith("201 paid ");
        String key = keyOf(answer);
        assertThat(server.records(key)).isEqualTo(1);
        assertThat(server.arrivals(key)).isEqualTo(2);
        assertThat(server.arrivalLog()).containsExactly(key, key);
        assertThat(steps.statusChecks).extracting(StatusDecision::kind)
                .containsExactly(StatusDecision.Kind.NOT_APPLIED);
        assertThat(steps.resends).hasSize(1);
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.RESENT);
        assertNoLeakedConnection();
    }

    @Test
    void nonRepeatableEntityIsNeverResentAndEndsAsNotApplied() throws Exception {
        server.script((key, arrival) -> Behavior.DROP_BEFORE_RECORD);
        client(policy(RecoveryMode.STATUS_CHECK).build());
        HttpPost post = new HttpPost(server.baseUri() + "/payments");
        byte[] body = "amount=13".getBytes(StandardCharsets.UTF_8);
        post.setEntity(new InputStreamEntity(new ByteArrayInputStream(body), body.length, ContentType.TEXT_PLAIN));

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(post, LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.NOT_APPLIED);
        assertThat(failure.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
        assertThat(failure.requestLine()).isEqualTo("POST " + server.baseUri() + "/payments");
        assertThat(server.arrivals(failure.idempotencyKey())).isEqualTo(1);
        assertThat(server.records(failure.idempotencyKey())).isZero();
        assertThat(failure.trail()).extracting(RecoveryStep::result)
                .anySatisfy(r -> assertThat(r).contains("not repeatable"));
        assertThat(unresolved).as("a known outcome is not unresolved").isEmpty();
        assertNoLeakedConnection();
    }

    @Test
    void pendingIsCheckedAgainAfterBackoffUntilCompleted() throws Exception {
        server.pendingChecks(2);
        server.script((key, arrival) -> Behavior.PENDING_THEN_STALL);
        client(policy(RecoveryMode.STATUS_CHECK).build());

        String answer = client.execute(payment("amount=14"), LedgerRecoveryTest::text);

        assertThat(answer).startsWith("200 paid ").endsWith("DONE");
        assertThat(steps.statusChecks).extracting(StatusDecision::kind).containsExactly(
                StatusDecision.Kind.PENDING, StatusDecision.Kind.PENDING, StatusDecision.Kind.COMPLETED);
        assertThat(server.records(keyOf(answer))).isEqualTo(1);
    }

    @Test
    void statusApiDownUntilTheRecoveryTimeoutThenCancel() throws Exception {
        server.pendingChecks(1000);
        server.statusDown(true);
        server.script((key, arrival) -> Behavior.PENDING_THEN_STALL);
        client(policy(RecoveryMode.STATUS_CHECK_THEN_CANCEL).recoveryTimeout(Duration.ofMillis(400)).build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=15"), LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.CANCELED);
        assertThat(server.state(failure.idempotencyKey())).isEqualTo("CANCELED");
        assertThat(steps.statusChecks).isNotEmpty().allSatisfy(d -> assertThat(d.kind()).isEqualTo(StatusDecision.Kind.UNKNOWN));
        assertThat(steps.cancels).containsExactly(CancelResult.CANCELED);
        assertThat(failure.trail()).extracting(RecoveryStep::action).contains("cancel");
        assertThat(unresolved).isEmpty();
        assertNoLeakedConnection();
    }

    @Test
    void cancelThatFindsTheOperationCompletedEndsAsCompletedWithoutResponse() throws Exception {
        server.statusDown(true);
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.CANCEL).build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=16"), LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE);
        assertThat(steps.statusChecks).as("CANCEL mode does not check").isEmpty();
        assertThat(steps.cancels).containsExactly(CancelResult.ALREADY_COMPLETED);
        assertThat(server.records(failure.idempotencyKey())).isEqualTo(1);
    }

    @Test
    void reportOnlyHandsTheUnknownOutcomeToTheHandlerAndTheCaller() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.REPORT_ONLY).build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=17"), LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(failure.getCause()).isInstanceOf(SocketTimeoutException.class);
        assertThat(unresolved).containsExactly(failure);
        assertThat(server.records(failure.idempotencyKey())).isEqualTo(1);
        assertThat(steps.statusChecks).isEmpty();
        assertNoLeakedConnection();
    }

    @Test
    void throwingStatusCheckEndsUnresolvedAtTheRecoveryTimeout() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        AtomicInteger calls = new AtomicInteger();
        client(policy(RecoveryMode.STATUS_CHECK)
                .statusCheck(context -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("status API exploded");
                })
                .recoveryTimeout(Duration.ofMillis(300))
                .build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=18"), LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(calls.get()).isGreaterThanOrEqualTo(1);
        assertThat(failure.trail()).extracting(RecoveryStep::result)
                .anySatisfy(r -> assertThat(r).contains("threw IllegalStateException: status API exploded"));
        assertThat(unresolved).containsExactly(failure);
        assertNoLeakedConnection();
    }

    @Test
    void throwingCancelActionIsAFailedCancelAndEndsUnresolved() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.CANCEL)
                .cancelAction(context -> {
                    throw new IllegalStateException("cancel API exploded");
                })
                .build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=90"), LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(steps.cancels).containsExactly(CancelResult.FAILED);
        assertThat(failure.trail()).extracting(RecoveryStep::result)
                .anySatisfy(r -> assertThat(r).contains("threw IllegalStateException: cancel API exploded"));
        assertThat(unresolved).containsExactly(failure);
        assertThat(server.records(failure.idempotencyKey())).as("recorded once, never resent").isEqualTo(1);
        assertNoLeakedConnection();
    }

    @Test
    void hangingStatusCheckIsBoundedByTheCallbackTimeout() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        CountDownLatch never = new CountDownLatch(1);
        client(policy(RecoveryMode.STATUS_CHECK_THEN_CANCEL)
                .statusCheck(context -> {
                    never.await();
                    return StatusDecision.completed();
                })
                .cancelAction(context -> {
                    never.await();
                    return CancelResult.CANCELED;
                })
                .callbackTimeout(Duration.ofMillis(200))
                .recoveryTimeout(Duration.ofMillis(300))
                .build());

        long start = System.nanoTime();
        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=19"), LedgerRecoveryTest::text));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(failure.trail()).extracting(RecoveryStep::result)
                .anySatisfy(r -> assertThat(r).contains("timed out"));
        assertThat(steps.cancels).containsExactly(CancelResult.FAILED);
        assertThat(unresolved).containsExactly(failure);
        // generous: 300 ms read timeout + ~300 ms of checks + 200 ms cancel; a hang would never end
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertNoLeakedConnection();
    }

    @Test
    void uninterruptibleStatusChecksPileUpOnlyToTheStuckLimitThenRecoveryEndsUnresolvedWithoutStartingMore() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        int limit = CallbackRunner.MAX_STUCK_CALLBACKS;
        client(policy(RecoveryMode.STATUS_CHECK)
                .statusCheck(context -> {
                    started.incrementAndGet();
                    running.incrementAndGet();
                    try {
                        // like a blocking socket read: the interrupt at the callback timeout does not end it
                        CallbackRunnerTest.awaitUninterruptibly(release);
                        return StatusDecision.completed();
                    } finally {
                        running.decrementAndGet();
                    }
                })
                .callbackTimeout(Duration.ofMillis(50))
                .recoveryTimeout(Duration.ofSeconds(1))
                .statusCheckBackoff(Duration.ofMillis(5), Duration.ofMillis(10))
                .build());
        try {
            // every check a request makes stays stuck; go on until the limit is reached
            for (int i = 0; i < limit && started.get() < limit; i++) {
                String amount = "amount=50-" + i;
                TimeoutRecoveryException failure =
                        catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment(amount), LedgerRecoveryTest::text));
                assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
            }
            assertThat(started.get()).as("checks started").isEqualTo(limit);
            int checksReported = steps.statusChecks.size();

            TimeoutRecoveryException refused =
                    catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=51"), LedgerRecoveryTest::text));

            assertThat(refused.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
            assertThat(refused.trail()).extracting(RecoveryStep::result)
                    .anySatisfy(r -> assertThat(r).contains("not started", limit + " callbacks"));
            assertThat(unresolved).contains(refused);
            assertThat(started.get()).as("no check started beyond the limit").isEqualTo(limit);
            assertThat(running.get()).as("stuck callback threads").isEqualTo(limit);
            assertThat(steps.statusChecks).as("a check that never started is not reported as one").hasSize(checksReported);
            assertThat(server.records(refused.idempotencyKey())).isEqualTo(1);
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 0);

        // the stuck threads came back: recovery checks again
        TimeoutRecoveryException again =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=52"), LedgerRecoveryTest::text));
        assertThat(again.outcome()).as("COMPLETED without a response: the latch is open now")
                .isEqualTo(RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE);
        assertThat(started.get()).isEqualTo(limit + 1);
    }

    @Test
    void uninterruptibleCancelActionsPileUpOnlyToTheStuckLimit() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        int limit = CallbackRunner.MAX_STUCK_CALLBACKS;
        client(policy(RecoveryMode.CANCEL)
                .cancelAction(context -> {
                    started.incrementAndGet();
                    CallbackRunnerTest.awaitUninterruptibly(release);
                    return CancelResult.CANCELED;
                })
                .callbackTimeout(Duration.ofMillis(50))
                .build(), Duration.ofMillis(100));
        try {
            for (int i = 0; i < limit; i++) {
                String amount = "amount=53-" + i;
                TimeoutRecoveryException failure =
                        catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment(amount), LedgerRecoveryTest::text));
                assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
            }
            assertThat(steps.cancels).hasSize(limit).containsOnly(CancelResult.FAILED);

            TimeoutRecoveryException refused =
                    catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=54"), LedgerRecoveryTest::text));

            assertThat(refused.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
            assertThat(refused.trail()).filteredOn(step -> step.action().equals("cancel")).singleElement()
                    .satisfies(step -> assertThat(step.result()).startsWith("not started"));
            assertThat(unresolved).hasSize(limit + 1).contains(refused);
            assertThat(started.get()).isEqualTo(limit);
            assertThat(steps.cancels).as("a cancel that never started is not reported as one").hasSize(limit);
        } finally {
            release.countDown();
        }
    }

    @Test
    void connectionRefusedIsNeverSentRetriedAndReachesTheCallerUnchanged() throws Exception {
        int closedPort = LedgerServer.closedPort(); // below the ephemeral range: no TCP self-connect
        client(policy(RecoveryMode.STATUS_CHECK).retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).build());
        HttpPost post = new HttpPost("http://127.0.0.1:" + closedPort + "/payments");
        post.setEntity(new StringEntity("amount=20"));

        assertThatThrownBy(() -> client.execute(post, LedgerRecoveryTest::text))
                .isInstanceOf(HttpHostConnectException.class);

        assertThat(steps.failures).hasSize(3)
                .allSatisfy(f -> assertThat(f.phase()).isEqualTo(FailurePhase.NEVER_SENT));
        assertThat(steps.retries).hasSize(2);
        assertThat(steps.statusChecks).isEmpty();
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.FAILED);
        assertThat(server.statusRequests()).isZero();
    }

    @Test
    void status500And404ReachTheCallerUnchangedWithoutRecovery() throws Exception {
        client(policy(RecoveryMode.STATUS_CHECK).build());

        try (CloseableHttpResponse response = client.execute(new HttpPost(server.baseUri() + "/status/500"))) {
            assertThat(text(response)).isEqualTo("500 status 500");
        }
        assertThatThrownBy(() -> client.execute(new HttpPost(server.baseUri() + "/status/404"), new BasicHttpClientResponseHandler()))
                .isInstanceOfSatisfying(HttpResponseException.class, e -> assertThat(e.getStatusCode()).isEqualTo(404));

        assertThat(steps.failures).singleElement()
                .satisfies(f -> assertThat(f.phase()).isEqualTo(FailurePhase.RESPONSE_RECEIVED));
        assertThat(steps.statusChecks).isEmpty();
        assertThat(server.statusRequests()).isZero();
        assertNoLeakedConnection();
    }

    @Test
    void streamThatPausesMidBodyIsRecoveredExactlyOnce() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        client(policy(RecoveryMode.STATUS_CHECK)
                .statusCheck(context -> {
                    checks.incrementAndGet();
                    BasicClassicHttpResponse recovered = new BasicClassicHttpResponse(200);
                    recovered.setEntity(new StringEntity("recovered " + context.phase()));
                    return StatusDecision.completed(recovered);
                })
                .build(), Duration.ofMillis(200));
        HttpGet stream = new HttpGet(server.baseUri() + "/stream");
        stream.setHeader("Idempotency-Key", "stream-1");

        String body = client.execute(stream, new BasicHttpClientResponseHandler());

        assertThat(body).isEqualTo("recovered RESPONSE_BODY_LOST");
        assertThat(checks.get()).isEqualTo(1);
        assertThat(steps.failures).singleElement()
                .satisfies(f -> assertThat(f.phase()).isEqualTo(FailurePhase.RESPONSE_BODY_LOST));
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.COMPLETED);
        assertNoLeakedConnection();
    }

    @Test
    void streamThatPausesMidBodyIsRecoveredOnceWithoutAHandlerThanksToBuffering() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        client(policy(RecoveryMode.STATUS_CHECK)
                .statusCheck(context -> {
                    checks.incrementAndGet();
                    BasicClassicHttpResponse recovered = new BasicClassicHttpResponse(200);
                    recovered.setEntity(new StringEntity("recovered"));
                    return StatusDecision.completed(recovered);
                })
                .build(), Duration.ofMillis(200));
        HttpGet stream = new HttpGet(server.baseUri() + "/stream");
        stream.setHeader("Idempotency-Key", "stream-2");

        try (CloseableHttpResponse response = client.execute(stream)) {
            assertThat(text(response)).isEqualTo("200 recovered");
        }
        assertThat(checks.get()).isEqualTo(1);
        assertNoLeakedConnection();
    }

    @Test
    void dripOfOneBytePer100msNeverTripsAShorterResponseTimeout() throws Exception {
        // 1 s per read against 1.2 s in all: the timeout is per read, and a 100 ms gap stays well
        // below it even when the ledger's sleeps overrun on a loaded machine
        client(policy(RecoveryMode.REPORT_ONLY).build(), Duration.ofSeconds(1));
        HttpGet drip = new HttpGet(server.baseUri() + "/drip-body");
        drip.setHeader("Idempotency-Key", "drip-1");

        long start = System.nanoTime();
        String body = client.execute(drip, new BasicHttpClientResponseHandler());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(body).isEqualTo("abcdefghijkl");
        assertThat(took).as("12 bytes, 100 ms apart").isGreaterThan(Duration.ofMillis(1000));
        assertThat(steps.failures).isEmpty();
    }

    @Test
    void exchangeDeadlineEndsADripNearTheDeadlineAsOutcomeUnknown() throws Exception {
        // a per-read timeout of 900 ms never fires on 100 ms gaps, even overrun; the 1 s deadline does
        client(policy(RecoveryMode.REPORT_ONLY).exchangeDeadline(Duration.ofSeconds(1)).build(), Duration.ofMillis(900));
        HttpGet drip = new HttpGet(server.baseUri() + "/drip-head");
        drip.setHeader("Idempotency-Key", "drip-2");

        long start = System.nanoTime();
        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(drip, new BasicHttpClientResponseHandler()));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        assertThat(failure.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(failure.idempotencyKey()).isEqualTo("drip-2");
        assertThat(failure.trail().get(0).result()).contains("exchange deadline");
        assertThat(unresolved).containsExactly(failure);
        assertNoLeakedConnection();
    }

    @Test
    void retryAfterOn503IsHonoured() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.RETRY_AFTER_503 : Behavior.ANSWER);
        client(policy(RecoveryMode.STATUS_CHECK).build());

        String answer = client.execute(payment("amount=21"), LedgerRecoveryTest::text);

        assertThat(answer).startsWith("201 paid ");
        assertThat(server.arrivals(keyOf(answer))).isEqualTo(2);
        // what the server asked for, spread upwards by the default jitter (0.2)
        assertThat(steps.retries).singleElement().satisfies(delay ->
                assertThat(delay).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200)));
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.RETRIED);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = Behavior.class, names = {"RETRY_AFTER_ZERO", "RETRY_AFTER_PAST_DATE"})
    void aRetryAfterOfZeroOrInThePastStillWaitsTheBackoffFloorWithJitter(Behavior busy) throws Exception {
        server.script((key, arrival) -> arrival <= 3 ? busy : Behavior.ANSWER);
        client(policy(RecoveryMode.STATUS_CHECK)
                .maxAttempts(4)
                .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .jitter(0.5)
                .build());
        HttpPost post = payment("amount=21c");
        post.setHeader("Idempotency-Key", "come-back-now");

        String answer = client.execute(post, LedgerRecoveryTest::text);

        assertThat(answer).startsWith("201 paid come-back-now");
        // the floor doubles per retry like any backoff, and jitter only ever adds: never sooner than asked
        long[] floors = {100, 200, 400};
        assertThat(steps.retries).hasSize(3);
        for (int i = 0; i < floors.length; i++) {
            assertThat(steps.retries.get(i)).as("wait before retry %d", i + 1)
                    .isBetween(Duration.ofMillis(floors[i]), Duration.ofMillis(floors[i] * 3 / 2));
        }
        List<Long> arrivals = server.arrivalTimes("come-back-now");
        assertThat(arrivals).hasSize(4);
        for (int i = 0; i < floors.length; i++) {
            assertThat(Duration.ofNanos(arrivals.get(i + 1) - arrivals.get(i))).as("server-side gap before retry %d", i + 1)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(floors[i]));
        }
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.RETRIED);
    }

    @Test
    void retryAfterIsNotFollowedWhenTheEntityIsNotRepeatable() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.RETRY_AFTER_503 : Behavior.ANSWER);
        client(policy(RecoveryMode.STATUS_CHECK).build());
        HttpPost post = new HttpPost(server.baseUri() + "/payments");
        byte[] body = "amount=21b".getBytes(StandardCharsets.UTF_8);
        post.setEntity(new InputStreamEntity(new ByteArrayInputStream(body), body.length, ContentType.TEXT_PLAIN));
        post.setHeader("Idempotency-Key", "stream-once");

        String answer = client.execute(post, LedgerRecoveryTest::text);

        // The stream was consumed by attempt 1: a retry would send another payload under the same key.
        assertThat(answer).isEqualTo("503 busy");
        assertThat(server.arrivalLog()).containsExactly("stream-once");
        assertThat(server.records("stream-once")).isZero();
        assertThat(steps.retries).isEmpty();
        assertNoLeakedConnection();
    }

    @Test
    void aConflictAfterAResendLeavesTheFirstOutcomeUnknownAndEndsUnresolved() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.STALL_AFTER_RECORD : Behavior.CONFLICT_409);
        client(policy(RecoveryMode.RESEND_WITH_KEY).build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=34"), LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(failure.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
        assertThat(failure.trail()).extracting(RecoveryStep::result)
                .anySatisfy(r -> assertThat(r).contains("status 409"));
        assertThat(server.arrivals(failure.idempotencyKey())).as("no third attempt").isEqualTo(2);
        assertThat(server.records(failure.idempotencyKey())).isEqualTo(1);
        assertThat(unresolved).containsExactly(failure);
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.UNRESOLVED);
        assertNoLeakedConnection();
    }

    @Test
    void aServerErrorAfterAResendGoesBackToTheStatusCheck() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.DROP_BEFORE_RECORD : Behavior.RECORD_THEN_500);
        client(policy(RecoveryMode.STATUS_CHECK).build());

        String answer = client.execute(payment("amount=35"), LedgerRecoveryTest::text);

        assertThat(answer).startsWith("200 paid ").endsWith("amount=35 DONE");
        assertThat(server.arrivals(keyOf(answer))).isEqualTo(2);
        assertThat(server.records(keyOf(answer))).isEqualTo(1);
        assertThat(steps.statusChecks).extracting(StatusDecision::kind)
                .containsExactly(StatusDecision.Kind.NOT_APPLIED, StatusDecision.Kind.COMPLETED);
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.COMPLETED);
        assertThat(unresolved).isEmpty();
        assertNoLeakedConnection();
    }

    @Test
    void aServerErrorAfterAResendThrownByTheHandlerIsStillUnknown() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.STALL_AFTER_RECORD : Behavior.RECORD_THEN_500);
        client(policy(RecoveryMode.RESEND_WITH_KEY).build());

        TimeoutRecoveryException failure = catchThrowableOfType(TimeoutRecoveryException.class,
                () -> client.execute(payment("amount=36"), new BasicHttpClientResponseHandler()));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(unresolved).containsExactly(failure);
        assertNoLeakedConnection();
    }

    @Test
    void aClientErrorAfterAResendIsTheAnswer() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.STALL_AFTER_RECORD : Behavior.UNPROCESSABLE_422);
        client(policy(RecoveryMode.RESEND_WITH_KEY).build());
        HttpPost post = payment("amount=37");
        post.setHeader("Idempotency-Key", "reused");

        String answer = client.execute(post, LedgerRecoveryTest::text);

        assertThat(answer).isEqualTo("422 key reused reused");
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.RESENT);
        assertThat(unresolved).isEmpty();
    }

    @Test
    void retryAfterLongerThanTheCapReachesTheCaller() throws Exception {
        server.script((key, arrival) -> Behavior.RETRY_AFTER_503);
        client(policy(RecoveryMode.STATUS_CHECK).maxRetryAfter(Duration.ofMillis(500)).build());

        String answer = client.execute(payment("amount=22"), LedgerRecoveryTest::text);

        assertThat(answer).isEqualTo("503 busy");
        assertThat(steps.retries).isEmpty();
    }

    @Test
    void theCallersKeyWinsAndIsStableAcrossResends() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.DROP_BEFORE_RECORD : Behavior.ANSWER);
        client(policy(RecoveryMode.RESEND_WITH_KEY).build());
        HttpPost post = payment("amount=23");
        post.setHeader("Idempotency-Key", "order-42");

        String answer = client.execute(post, LedgerRecoveryTest::text);

        assertThat(answer).startsWith("201 paid order-42");
        assertThat(server.arrivalLog()).containsExactly("order-42", "order-42");
        assertThat(server.records("order-42")).isEqualTo(1);
        assertThat(post.getHeaders("Idempotency-Key")).as("caller's request untouched").hasSize(1);
    }

    @Test
    void quotedKeysFollowTheIetfDraftAndCustomHeaderNamesWork() throws Exception {
        client(policy(RecoveryMode.STATUS_CHECK).quoteIdempotencyKey(true).idempotencyKeyGenerator(() -> "k-1").build());

        client.execute(payment("amount=24"), LedgerRecoveryTest::text);

        assertThat(server.arrivalLog()).containsExactly("\"k-1\"");
        assertThat(server.records("k-1")).isEqualTo(1);
    }

    @Test
    void requestsOutsideTheCoverageGetNoKeyAndNoRecovery() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.STATUS_CHECK).covers(request -> false).build());

        assertThatThrownBy(() -> client.execute(payment("amount=25"), LedgerRecoveryTest::text))
                .isInstanceOf(SocketTimeoutException.class);

        assertThat(server.arrivalLog()).containsExactly("none");
        assertThat(steps.failures).isEmpty();
        assertNoLeakedConnection();
    }

    @Test
    void springStyleExecuteOpenWithABasicRequestGoesThroughThePolicy() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.STATUS_CHECK).build());
        BasicClassicHttpRequest request = new BasicClassicHttpRequest("POST", HttpHost.create(server.baseUri()), "/payments");
        request.setEntity(new StringEntity("amount=26"));

        ClassicHttpResponse response = client.executeOpen(HttpHost.create(server.baseUri()), request, null);

        assertThat(text(response)).startsWith("200 paid ").endsWith("DONE");
        response.close();
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.COMPLETED);
    }

    @Test
    void aRequestExecutorSetAfterInstrumentFallsBackToConservativeClassification() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        TimeoutRecoveryPolicy policy = policy(RecoveryMode.REPORT_ONLY)
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .build();
        // e.g. a framework customizer that runs after the policy's: HttpClient keeps only the last executor
        client = policy.wrap(policy.instrument(LedgerClients.builder(pool, Duration.ofMillis(300)))
                .setRequestExecutor(new HttpRequestExecutor())
                .build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=27b"), LedgerRecoveryTest::text));

        assertThat(failure.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(steps.retries).as("a written POST is never retried blindly").isEmpty();
        assertThat(server.arrivals(failure.idempotencyKey())).isEqualTo(1);
        assertThat(unresolved).containsExactly(failure);
        assertNoLeakedConnection();
    }

    @Test
    void uninstrumentedClientFallsBackToConservativeClassification() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        TimeoutRecoveryPolicy policy = policy(RecoveryMode.STATUS_CHECK).build();
        client = policy.wrap(LedgerClients.builder(pool, Duration.ofMillis(300)).build());

        String answer = client.execute(payment("amount=27"), LedgerRecoveryTest::text);

        assertThat(answer).startsWith("200 paid ");
        assertThat(steps.failures).singleElement()
                .satisfies(f -> assertThat(f.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN));
        assertNoLeakedConnection();
    }
    @Test
    void completedWithoutAResponseIsAKnownOutcomeNotAnUnresolvedOne() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.STATUS_CHECK).statusCheck(context -> StatusDecision.completed()).build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=28"), LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE);
        assertThat(server.records(failure.idempotencyKey())).isEqualTo(1);
        assertThat(unresolved).isEmpty();
    }

    @Test
    void aLostBodyInReportOnlyModeIsCompletedWithoutResponse() throws Exception {
        client(policy(RecoveryMode.REPORT_ONLY).build(), Duration.ofMillis(200));
        HttpGet stream = new HttpGet(server.baseUri() + "/stream");
        stream.setHeader("Idempotency-Key", "stream-3");

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(stream, new BasicHttpClientResponseHandler()));

        assertThat(failure.phase()).isEqualTo(FailurePhase.RESPONSE_BODY_LOST);
        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE);
        assertThat(unresolved).isEmpty();
        assertNoLeakedConnection();
    }

    @Test
    void resendWithKeyIsBoundedByMaxAttemptsAndReliesOnTheServerHonouringTheKey() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.RESEND_WITH_KEY).maxAttempts(2).build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=29"), LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(failure.trail()).extracting(RecoveryStep::result)
                .anySatisfy(r -> assertThat(r).contains("maxAttempts 2 reached"));
        assertThat(server.arrivalLog()).containsExactly(failure.idempotencyKey(), failure.idempotencyKey());
        // This ledger deliberately ignores keys: the resend was applied twice. RESEND_WITH_KEY is for
        // servers that deduplicate by key; STATUS_CHECK is the mode that needs nothing from them.
        assertThat(server.records(failure.idempotencyKey())).isEqualTo(2);
        assertThat(unresolved).containsExactly(failure);
    }

    @Test
    void aCallerCancelReachesTheRunningExchangeAndTheOutcomeIsReportedNotRecovered() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.STATUS_CHECK).build(), Duration.ofSeconds(10));
        HttpPost post = payment("amount=30");
        post.setHeader("Idempotency-Key", "cancel-me");
        ExecutorService canceller = Executors.newSingleThreadExecutor();
        try {
            canceller.execute(() -> {
                await().atMost(Duration.ofSeconds(5)).until(() -> server.records("cancel-me") == 1);
                post.cancel();
            });
            long start = System.nanoTime();
            TimeoutRecoveryException failure =
                    catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(post, LedgerRecoveryTest::text));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("well before the 10 s read timeout").isLessThan(Duration.ofSeconds(5));
            assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
            assertThat(failure.trail()).extracting(RecoveryStep::result)
                    .anySatisfy(r -> assertThat(r).contains("canceled by the caller"));
            assertThat(steps.statusChecks).isEmpty();
            assertThat(unresolved).containsExactly(failure);
            assertNoLeakedConnection();
        } finally {
            canceller.shutdownNow();
        }
    }

    @Test
    void poolLeaseTimeoutIsNeverSentByWireEvidence() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        PoolingHttpClientConnectionManager single = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(1).setMaxConnPerRoute(1).build();
        TimeoutRecoveryPolicy policy = policy(RecoveryMode.REPORT_ONLY).maxAttempts(1).build();
        client = policy.wrap(policy.instrument(HttpClients.custom()
                .setConnectionManager(single)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.ofSeconds(1))
                        .setConnectionRequestTimeout(Timeout.ofMilliseconds(100))
                        .build())).build());
        HttpPost holder = payment("amount=31");
        holder.setHeader("Idempotency-Key", "holds-the-connection");
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            Future<?> held = background.submit(() -> client.execute(holder, LedgerRecoveryTest::text));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.records("holds-the-connection") == 1);

            assertThatThrownBy(() -> client.execute(payment("amount=32"), LedgerRecoveryTest::text))
                    .isInstanceOf(ConnectionRequestTimeoutException.class);

            assertThat(steps.failures).singleElement().satisfies(f -> assertThat(f.phase()).isEqualTo(FailurePhase.NEVER_SENT));
            assertThat(server.arrivalLog()).containsExactly("holds-the-connection");
            assertThatThrownBy(held::get).hasCauseInstanceOf(TimeoutRecoveryException.class);
        } finally {
            background.shutdownNow();
        }
    }
    @Test
    void aResendThatCannotConnectNeverHidesTheEarlierUnknownOutcome() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        client(policy(RecoveryMode.RESEND_WITH_KEY).retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).build(),
                Duration.ofSeconds(5));
        HttpPost post = payment("amount=33");
        post.setHeader("Idempotency-Key", "then-the-server-dies");
        ExecutorService killer = Executors.newSingleThreadExecutor();
        try {
            killer.execute(() -> {
                await().atMost(Duration.ofSeconds(5)).until(() -> server.records("then-the-server-dies") == 1);
                try {
                    server.close();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            TimeoutRecoveryException failure =
                    catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(post, LedgerRecoveryTest::text));

            assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
            assertThat(failure.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
            assertThat(failure.getCause()).isInstanceOf(HttpHostConnectException.class);
            assertThat(unresolved).containsExactly(failure);
            assertThat(steps.resends).hasSize(1);
        } finally {
            killer.shutdownNow();
        }
    }
    @Test
    void exchangeDeadlineMidBodyIsBodyLostAndRecoveredOnce() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        // the 12-byte body drips for 1.2 s: the 1 s deadline fires mid-body, the 900 ms per-read
        // timeout never does
        client(policy(RecoveryMode.STATUS_CHECK)
                .exchangeDeadline(Duration.ofSeconds(1))
                .statusCheck(context -> {
                    checks.incrementAndGet();
                    BasicClassicHttpResponse recovered = new BasicClassicHttpResponse(200);
                    recovered.setEntity(new StringEntity("recovered " + context.phase()));
                    return StatusDecision.completed(recovered);
                })
                .build(), Duration.ofMillis(900));
        HttpGet drip = new HttpGet(server.baseUri() + "/drip-body");
        drip.setHeader("Idempotency-Key", "drip-3");

        String body = client.execute(drip, new BasicHttpClientResponseHandler());

        assertThat(body).isEqualTo("recovered RESPONSE_BODY_LOST");
        assertThat(checks.get()).isEqualTo(1);
        assertThat(steps.failures).singleElement().satisfies(f -> assertThat(f.phase()).isEqualTo(FailurePhase.RESPONSE_BODY_LOST));
        assertNoLeakedConnection();
    }

    @Test
    void aLostBodyInCancelModeIsNeverCanceled() throws Exception {
        // the 2xx head says the server acted: cancelling would undo a confirmed success
        client(policy(RecoveryMode.CANCEL).build(), Duration.ofMillis(200));
        HttpGet stream = new HttpGet(server.baseUri() + "/stream");
        stream.setHeader("Idempotency-Key", "stream-cancel");

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(stream, new BasicHttpClientResponseHandler()));

        assertThat(failure.phase()).isEqualTo(FailurePhase.RESPONSE_BODY_LOST);
        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.COMPLETED_WITHOUT_RESPONSE);
        assertThat(steps.cancels).isEmpty();
        assertThat(unresolved).isEmpty();
        assertNoLeakedConnection();
    }

    @Test
    void aResendThatFailsBeforeTheWireWithAnUncheckedExceptionNeverHidesTheEarlierUnknown() throws Exception {
        server.script((key, arrival) -> Behavior.STALL_AFTER_RECORD);
        java.util.concurrent.atomic.AtomicInteger sends = new java.util.concurrent.atomic.AtomicInteger();
        TimeoutRecoveryPolicy policy = policy(RecoveryMode.RESEND_WITH_KEY).build();
        // e.g. the pool shut down by a concurrent close() while the recovery ran
        client = policy.wrap(policy.instrument(LedgerClients.builder(pool, Duration.ofMillis(300))
                .addRequestInterceptorFirst((request, entity, context) -> {
                    if (sends.incrementAndGet() == 2) {
                        throw new IllegalStateException("Connection pool shut down");
                    }
                })).build());

        TimeoutRecoveryException failure =
                catchThrowableOfType(TimeoutRecoveryException.class, () -> client.execute(payment("amount=34"), LedgerRecoveryTest::text));

        assertThat(failure.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
        assertThat(failure.phase()).isEqualTo(FailurePhase.OUTCOME_UNKNOWN);
        assertThat(failure.getCause()).hasRootCauseInstanceOf(IllegalStateException.class);
        assertThat(unresolved).containsExactly(failure);
        assertThat(server.records(failure.idempotencyKey())).isEqualTo(1);
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.UNRESOLVED);
    }

    @Test
    void aRequestTheCallerCanceledBeforeSendingIsNeitherSentNorUnresolved() throws Exception {
        client(policy(RecoveryMode.STATUS_CHECK).build());
        HttpPost post = payment("amount=35");
        post.setHeader("Idempotency-Key", "canceled-first");
        post.cancel();

        assertThatThrownBy(() -> client.execute(post, LedgerRecoveryTest::text))
                .isInstanceOf(org.apache.hc.client5.http.impl.classic.RequestFailedException.class);
        assertThat(steps.failures).singleElement().satisfies(f -> assertThat(f.phase()).isEqualTo(FailurePhase.NEVER_SENT));
        assertThat(steps.outcomes).containsExactly(RecoveryOutcome.FAILED);
        assertThat(steps.statusChecks).isEmpty();
        assertThat(unresolved).isEmpty();
        assertThat(server.records("canceled-first")).isZero();
    }
}
