package dev.abortguard.client.overload;

import dev.abortguard.client.AsyncTimeoutRecovery;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryCounters;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.RetryAfterPendingException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import dev.abortguard.client.ledger.LedgerServer.Behavior;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A route's {@code Retry-After} holds other callers' first attempts too: one caller's 429 makes
 * the route quiet until its "not before" time; a new request on the route waits for it within its
 * queue time (never past its exchange deadline), or fails at once, unsent, with {@link
 * RetryAfterPendingException}. Times are the ledger's arrival timestamps, taken at the server.
 */
class FirstAttemptRetryAfterTest {

    private LedgerServer server;
    private ExecutorService callers;
    private final CountDownLatch told = new CountDownLatch(1);
    private final RecoveryCounters counters = new RecoveryCounters();

    @BeforeEach
    void start() throws IOException {
        server = new LedgerServer();
        callers = Executors.newCachedThreadPool();
        // the first caller's first attempt is told to wait; everything else is answered
        server.script((key, arrival) -> key.equals("first") && arrival == 1 ? Behavior.TOO_MANY_REQUESTS : Behavior.ANSWER);
    }

    @AfterEach
    void stop() throws IOException {
        callers.shutdownNow();
        server.close();
    }

    private HttpPost order(String key) {
        HttpPost post = new HttpPost(server.baseUri() + "/payments");
        post.setHeader("Idempotency-Key", key);
        post.setEntity(new StringEntity("order " + key, ContentType.TEXT_PLAIN));
        return post;
    }

    private TimeoutRecoveryPolicy.Builder policy() {
        return TimeoutRecoveryPolicy.builder()
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(50))
                .addListener(counters)
                .addListener(new RecoveryListener() {
                    @Override
                    public void onRetryAfter(RecoveryContext context, Duration delay) {
                        told.countDown(); // the route's not-before time is set before listeners hear of it
                    }
                });
    }

    private CloseableHttpClient client(TimeoutRecoveryPolicy policy) {
        return policy.wrap(policy.instrument(LedgerClients.builder(LedgerClients.pool(), Duration.ofSeconds(5))).build());
    }

    /** Sends "first", which is told Retry-After {@code seconds}; returns once the route knows it. */
    private Future<Integer> firstCallerToldToWait(CloseableHttpClient client, int seconds) throws Exception {
        server.retryAfter(key -> Integer.toString(seconds));
        Future<Integer> first = callers.submit(() -> client.execute(order("first"), response -> response.getCode()));
        assertThat(told.await(5, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    @Test
    void aFirstAttemptWaitsForTheRoutesRetryAfterWithinItsQueueTime() throws Exception {
        TimeoutRecoveryPolicy policy = policy().maxInFlightPerRoute(100, Duration.ofSeconds(3)).build();
        try (CloseableHttpClient client = client(policy)) {
            Future<Integer> first = firstCallerToldToWait(client, 1);
            int second = client.execute(order("second"), response -> response.getCode());
            assertThat(second).isEqualTo(201);
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(201);
        }
        long notBefore = server.arrivalTimes("first").get(0) + TimeUnit.SECONDS.toNanos(1);
        List<Long> second = server.arrivalTimes("second");
        assertThat(second).as("one attempt: it waited instead of being refused").hasSize(1);
        assertThat(second.get(0)).as("the second caller's first attempt waited for the route").isGreaterThanOrEqualTo(notBefore);
        assertThat(server.records("first")).isEqualTo(1);
        assertThat(server.records("second")).isEqualTo(1);
        assertThat(server.duplicates()).isEmpty();
    }

    @Test
    void aFirstAttemptThatMayNotWaitThatLongFailsAtOnceUnsent() throws Exception {
        TimeoutRecoveryPolicy policy = policy().maxInFlightPerRoute(100, Duration.ofMillis(200)).build();
        try (CloseableHttpClient client = client(policy)) {
            Future<Integer> first = firstCallerToldToWait(client, 2);
            long start = System.nanoTime();
            Throwable refused = catchThrowable(() -> client.execute(order("second"), response -> response.getCode()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(refused).isInstanceOf(RetryAfterPendingException.class);
            RetryAfterPendingException pending = (RetryAfterPendingException) refused;
            assertThat(pending.route()).isEqualTo(server.baseUri());
            assertThat(pending.maxWait()).isEqualTo(Duration.ofMillis(200));
            assertThat(pending.remaining()).isGreaterThan(Duration.ofMillis(200)).isLessThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(took).as("failed fast, not after the queue time").isLessThan(Duration.ofMillis(200));
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(201);
        }
        assertThat(server.arrivals("second")).isZero();
        assertThat(counters.outcomes(dev.abortguard.client.RecoveryOutcome.FAILED)).isEqualTo(1);
        assertThat(counters.failures(dev.abortguard.client.FailurePhase.NEVER_SENT)).isEqualTo(1);
    }

    @Test
    void theWaitNeverOutlivesTheExchangeDeadline() throws Exception {
        TimeoutRecoveryPolicy policy = policy()
                .maxInFlightPerRoute(100, Duration.ofSeconds(5))
                .exchangeDeadline(Duration.ofMillis(300))
                .build();
        try (CloseableHttpClient client = client(policy)) {
            Future<Integer> first = firstCallerToldToWait(client, 2);
            Throwable refused = catchThrowable(() -> client.execute(order("second"), response -> response.getCode()));
            assertThat(refused).isInstanceOf(RetryAfterPendingException.class);
            assertThat(((RetryAfterPendingException) refused).maxWait()).isEqualTo(Duration.ofMillis(300));
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(201);
        }
        assertThat(server.arrivals("second")).isZero();
    }

    @Test
    void anAsyncFirstAttemptWaitsOnARecoveryThreadNotTheCallers() throws Exception {
        TimeoutRecoveryPolicy policy = policy().maxInFlightPerRoute(100, Duration.ofSeconds(3)).build();
        CloseableHttpAsyncClient async = policy.instrument(HttpAsyncClients.custom()).build();
        async.start();
        server.retryAfter(key -> "1");
        // routes, and so their not-before times, belong to one wrapped client: both callers use this one
        try (AsyncTimeoutRecovery recovery = policy.wrapAsync(async)) {
            CompletableFuture<SimpleHttpResponse> first = recovery.execute(asyncOrder("first"));
            assertThat(told.await(5, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            CompletableFuture<SimpleHttpResponse> second = recovery.execute(asyncOrder("second"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("execute() did not block")
                    .isLessThan(Duration.ofMillis(500));
            assertThat(second.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(201);
            assertThat(first.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(201);
        }
        long notBefore = server.arrivalTimes("first").get(0) + TimeUnit.SECONDS.toNanos(1);
        assertThat(server.arrivalTimes("second")).hasSize(1);
        assertThat(server.arrivalTimes("second").get(0)).isGreaterThanOrEqualTo(notBefore);
        assertThat(server.duplicates()).isEmpty();
    }

    private SimpleHttpRequest asyncOrder(String key) {
        return SimpleRequestBuilder.post(server.baseUri() + "/payments").addHeader("Idempotency-Key", key)
                .setBody("order " + key, ContentType.TEXT_PLAIN).build();
    }
}
