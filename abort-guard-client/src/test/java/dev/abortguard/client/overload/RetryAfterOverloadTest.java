package dev.abortguard.client.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upstream that answers 429 with {@code Retry-After} 0, a past date, or 120 s: no burst, one
 * not-before time per route, and no 120 s wait the caller did not allow. Times are the ledger's
 * arrival timestamps, taken at the server.
 */
class RetryAfterOverloadTest {

    private static final Duration FLOOR = Duration.ofMillis(100);

    LedgerServer server;
    ExecutorService callers;

    @BeforeEach
    void start() throws IOException {
        server = new LedgerServer();
        callers = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() throws IOException {
        callers.shutdownNow();
        server.close();
    }

    HttpPost order(String key) {
        HttpPost post = new HttpPost(server.baseUri() + "/payments");
        post.setHeader("Idempotency-Key", key);
        post.setEntity(new StringEntity("order " + key, ContentType.TEXT_PLAIN));
        return post;
    }

    CloseableHttpClient client(TimeoutRecoveryPolicy policy) {
        return policy.wrap(policy.instrument(LedgerClients.builder(LedgerClients.pool(), Duration.ofMillis(300))).build());
    }

    static String pastDate() {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).minusHours(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "past date"})
    void aRetryAfterOfZeroOrInThePastNeverBurstsPastTheBackoffFloor(String retryAfter) throws Exception {
        int callerCount = 4;
        int attempts = 6;
        server.script((key, arrival) -> Behavior.TOO_MANY_REQUESTS);
        server.retryAfter(key -> retryAfter.equals("0") ? "0" : pastDate());
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .maxAttempts(attempts)
                .retryBackoff(FLOOR, FLOOR) // a constant floor: at most 10 attempts per second per caller
                .build();
        List<Future<Integer>> answers = new ArrayList<>();
        try (CloseableHttpClient client = client(policy)) {
            for (int i = 0; i < callerCount; i++) {
                String key = "burst-" + i;
                answers.add(callers.submit(() -> client.execute(order(key), response -> response.getCode())));
            }
            for (Future<Integer> answer : answers) {
                // attempts exhausted: the last 429 reaches the caller as it is, a defined outcome
                assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo(429);
            }
        }
        List<Long> all = new ArrayList<>();
        long minGap = Long.MAX_VALUE;
        for (int i = 0; i < callerCount; i++) {
            List<Long> times = server.arrivalTimes("burst-" + i);
            assertThat(times).hasSize(attempts);
            for (int j = 1; j < times.size(); j++) {
                minGap = Math.min(minGap, times.get(j) - times.get(j - 1));
            }
            all.addAll(times);
            assertThat(server.records("burst-" + i)).isZero();
        }
        int maxPerSecond = maxInAnyWindow(all, Duration.ofSeconds(1));
        System.out.printf("Retry-After %s: %d callers x %d attempts, smallest server-side gap between a caller's"
                        + " attempts %d ms (floor %d ms), most attempts in any 1 s window %d (bound %d)%n",
                retryAfter, callerCount, attempts, TimeUnit.NANOSECONDS.toMillis(minGap), FLOOR.toMillis(), maxPerSecond,
                callerCount * (1 + 1000 / FLOOR.toMillis()));
        assertThat(Duration.ofNanos(minGap)).as("smallest gap between one caller's attempts at the server")
                .isGreaterThanOrEqualTo(FLOOR);
        assertThat(maxPerSecond).isLessThanOrEqualTo(callerCount * (int) (1 + 1000 / FLOOR.toMillis()));
    }

    /** The most timestamps (nanos) in any window of {@code width}. */
    static int maxInAnyWindow(List<Long> times, Duration width) {
        List<Long> sorted = new ArrayList<>(times);
        sorted.sort(null);
        int best = 0;
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (sorted.get(to) - sorted.get(from) >= width.toNanos()) {
                from++;
            }
            best = Math.max(best, to - from + 1);
        }
        return best;
    }

    @Test
    void theRoutesNotBeforeTimeAlsoHoldsASecondCallerWhoseOwnAnswerSaidZero() throws Exception {
        server.script((key, arrival) -> arrival == 1 ? Behavior.TOO_MANY_REQUESTS : Behavior.ANSWER);
        server.retryAfter(key -> key.equals("first") ? "1" : "0");
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(50))
                .build();
        try (CloseableHttpClient client = client(policy)) {
            Future<Integer> first = callers.submit(() -> client.execute(order("first"), response -> response.getCode()));
            // the second caller starts once the route was told to wait 1 s
            await().atMost(Duration.ofSeconds(5)).until(() -> server.arrivals("first") == 1);
            Future<Integer> second = callers.submit(() -> client.execute(order("second"), response -> response.getCode()));
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(201);
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(201);
        }
        List<Long> first = server.arrivalTimes("first");
        List<Long> second = server.arrivalTimes("second");
        assertThat(first).hasSize(2);
        assertThat(second).hasSize(2);
        long notBefore = first.get(0) + TimeUnit.SECONDS.toNanos(1);
        System.out.printf("route not-before: first caller asked 1 s; second caller (asked 0) sent its own 429 %d ms"
                        + " after the first's, retried %d ms after its own 429, %d ms after the route's not-before time%n",
                TimeUnit.NANOSECONDS.toMillis(second.get(0) - first.get(0)),
                TimeUnit.NANOSECONDS.toMillis(second.get(1) - second.get(0)),
                TimeUnit.NANOSECONDS.toMillis(second.get(1) - notBefore));
        // Its first attempt waited for the route too when the client already knew of the first
        // caller's 429 (FirstAttemptRetryAfterTest), else it went out before; either way its retry,
        // after its own Retry-After: 0, came no sooner than the route's not-before time.
        assertThat(second.get(1)).as("its retry waited for the route, not only its own 50 ms floor")
                .isGreaterThanOrEqualTo(notBefore);
        assertThat(first.get(1)).isGreaterThanOrEqualTo(notBefore);
        assertThat(server.records("first")).isEqualTo(1);
        assertThat(server.records("second")).isEqualTo(1);
    }

    @Test
    void aRetryAfterOf120SecondsAboveTheCapReachesTheCallerAtOnceAndDoesNotHoldTheRoute() throws Exception {
        server.script((key, arrival) -> key.equals("long") || arrival == 1 ? Behavior.TOO_MANY_REQUESTS : Behavior.ANSWER);
        server.retryAfter(key -> key.equals("long") ? "120" : "0");
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder().build(); // maxRetryAfter 5 s
        try (CloseableHttpClient client = client(policy)) {
            long start = System.nanoTime();
            String answer = client.execute(order("long"),
                    response -> response.getCode() + " " + response.getFirstHeader("Retry-After").getValue());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(answer).isEqualTo("429 120");
            assertThat(took).isLessThan(Duration.ofSeconds(2));
            assertThat(server.arrivals("long")).isEqualTo(1);

            // the 120 s were not honoured, so they are not the route's either
            int next = client.execute(order("after"), response -> response.getCode());
            List<Long> after = server.arrivalTimes("after");
            System.out.printf("Retry-After 120 above the 5 s cap: answered in %d ms; the next caller on the route"
                    + " retried %d ms after its own 429%n", took.toMillis(),
                    TimeUnit.NANOSECONDS.toMillis(after.get(1) - after.get(0)));
            assertThat(next).isEqualTo(201);
            assertThat(Duration.ofNanos(after.get(1) - after.get(0))).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void aRetryAfterOf120SecondsThatDoesNotFitTheRecoveryTimeEndsUnresolvedWithoutWaiting() throws Exception {
        // attempt 1 is processed and stalls (unknown); the resend under the same key is told to come back in 120 s
        server.script((key, arrival) -> arrival == 1 ? Behavior.STALL_AFTER_RECORD : Behavior.TOO_MANY_REQUESTS);
        server.retryAfter(key -> "120");
        Queue<TimeoutRecoveryException> unresolved = new ConcurrentLinkedQueue<>();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.RESEND_WITH_KEY)
                .maxRetryAfter(Duration.ofMinutes(3)) // the cap allows it; the recovery timeout does not
                .recoveryTimeout(Duration.ofSeconds(2))
                .unresolvedOutcomeHandler(unresolved::add)
                .build();
        try (CloseableHttpClient client = client(policy)) {
            long start = System.nanoTime();
            Future<Object> call = callers.submit(() -> {
                try {
                    return client.execute(order("late"), response -> response.getCode());
                } catch (IOException e) {
                    return e;
                }
            });
            Object outcome = call.get(10, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("Retry-After 120 on a resend with a 2 s recovery timeout: %s after %d ms%n",
                    outcome instanceof TimeoutRecoveryException ? ((TimeoutRecoveryException) outcome).outcome() : outcome,
                    took.toMillis());
            assertThat(outcome).isInstanceOf(TimeoutRecoveryException.class);
            TimeoutRecoveryException end = (TimeoutRecoveryException) outcome;
            assertThat(end.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
            assertThat(unresolved).containsExactly(end);
            assertThat(took).isLessThan(Duration.ofSeconds(3));
        }
        assertThat(server.arrivals("late")).isEqualTo(2);
        assertThat(server.records("late")).isEqualTo(1);
    }
}
