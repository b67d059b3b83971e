package dev.abortguard.client.overload;

import dev.abortguard.client.InFlightLimitExceededException;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.client.ledger.LedgerClients;
import dev.abortguard.client.ledger.LedgerServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client under an overloaded upstream (the second source document): real local servers, real
 * HttpClient 5, a ledger at the server that counts what was processed.
 */
class OverloadRecoveryTest {

    private static final int ORDERS = 40;
    private static final int CALLERS = 8;

    /** What one run of {@link #ORDERS} orders did. */
    private record Run(int placed, int failed, int duplicates, int refused, int upstreamRequests, int connections) {
        double amplification() {
            return (double) upstreamRequests / ORDERS;
        }
    }

    @Test
    void aboveTheUpstreamsConnectionLimitEveryOrderIsPlacedExactlyOnceAndTheLoadStaysAsOffered() throws Exception {
        Run raw;
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(4, Duration.ofMillis(100));
             CloseableHttpClient client = LedgerClients.builder(LedgerClients.pool(), Duration.ofSeconds(5)).build()) {
            raw = orders(upstream, client, "raw");
        }
        // without an in-flight limit the upstream refuses connections: each refusal is proven
        // unprocessed, so the POST is sent again under its key
        Run retried = guardedRun(TimeoutRecoveryPolicy.builder());
        // with the limit at the upstream's, it is never refused at all
        Run guarded = guardedRun(TimeoutRecoveryPolicy.builder().maxInFlightPerRoute(4, Duration.ofSeconds(10)));
        System.out.printf("fasthttp-like upstream, limit 4 connections, %d orders from %d callers:%n", ORDERS, CALLERS);
        print("raw HttpClient 5 (default retry)", raw);
        print("abort-guard, no in-flight limit", retried);
        print("abort-guard, 4 in flight", guarded);

        // the scenario is real: the upstream refuses raw HttpClient 5's extra connections
        assertThat(raw.refused).isPositive();
        assertThat(retried.refused).isPositive();
        assertThat(retried.placed).isEqualTo(ORDERS);
        assertThat(retried.duplicates).isZero();
        // with the limit: every order placed, exactly once, and the load stays what was offered
        assertThat(guarded.placed).isEqualTo(ORDERS);
        assertThat(guarded.duplicates).isZero();
        assertThat(guarded.amplification()).isLessThanOrEqualTo(1.1);
        assertThat(guarded.connections).isLessThanOrEqualTo(8);
    }

    private static Run guardedRun(TimeoutRecoveryPolicy.Builder builder) throws Exception {
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(4, Duration.ofMillis(100))) {
            TimeoutRecoveryPolicy policy = builder
                    .mode(RecoveryMode.REPORT_ONLY)
                    .maxAttempts(10)
                    .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                    .build();
            PoolingHttpClientConnectionManager pool = LedgerClients.pool();
            try (CloseableHttpClient client = policy.wrap(
                    policy.instrument(LedgerClients.builder(pool, Duration.ofSeconds(5))).build())) {
                return orders(upstream, client, "guarded");
            }
        }
    }

    private static void print(String who, Run run) {
        System.out.printf("  %-34s placed %d, failed %d, duplicates %d, upstream 503s %d, upstream requests per order"
                        + " %.2f, connections opened %d%n",
                who, run.placed, run.failed, run.duplicates, run.refused, run.amplification(), run.connections);
    }

    private static Run orders(FastHttpLikeUpstream upstream, CloseableHttpClient client, String prefix) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        List<Future<Boolean>> results = new ArrayList<>();
        try {
            for (int i = 0; i < ORDERS; i++) {
                String key = prefix + "-" + i;
                Callable<Boolean> order = () -> {
                    HttpPost post = new HttpPost(upstream.baseUri() + "/orders");
                    post.setHeader("Idempotency-Key", key);
                    post.setEntity(new StringEntity("{\"order\":\"" + key + "\"}", ContentType.APPLICATION_JSON));
                    try {
                        return client.execute(post, response -> response.getCode() == 201);
                    } catch (IOException e) {
                        return false;
                    }
                };
                results.add(callers.submit(order));
            }
            int placed = 0;
            for (Future<Boolean> result : results) {
                placed += result.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            return new Run(placed, ORDERS - placed, upstream.duplicates().size(), upstream.refusedConnections(),
                    upstream.upstreamRequests(), upstream.connectionsAccepted());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void theUpstreamNeverSeesMoreThanTheInFlightLimitAndAnAttemptOverItIsNotSent() throws Exception {
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(100, Duration.ofMillis(300))) {
            TimeoutRecoveryPolicy waiting = TimeoutRecoveryPolicy.builder()
                    .maxInFlightPerRoute(2, Duration.ofSeconds(10))
                    .build();
            try (CloseableHttpClient client = waiting.wrap(LedgerClients.builder(LedgerClients.pool(),
                    Duration.ofSeconds(5)).build())) {
                List<Object> outcomes = parallel(client, upstream, "wait", 6);
                assertThat(outcomes).containsOnly(201);
            }
            assertThat(upstream.maxConcurrentRequests()).isEqualTo(2);

            TimeoutRecoveryPolicy shedding = TimeoutRecoveryPolicy.builder()
                    .maxInFlightPerRoute(2, Duration.ofMillis(50))
                    .build();
            try (CloseableHttpClient client = shedding.wrap(LedgerClients.builder(LedgerClients.pool(),
                    Duration.ofSeconds(5)).build())) {
                List<Object> outcomes = parallel(client, upstream, "shed", 6);
                long shed = outcomes.stream().filter(o -> o instanceof InFlightLimitExceededException).count();
                long answered = outcomes.stream().filter(o -> o.equals(201)).count();
                assertThat(shed).isPositive();
                assertThat(shed + answered).isEqualTo(6);
                // what was shed never reached the upstream
                int processedShed = 0;
                for (int i = 0; i < 6; i++) {
                    processedShed += upstream.processed("shed-" + i);
                }
                assertThat(processedShed).isEqualTo((int) answered);
            }
        }
    }

    private static List<Object> parallel(CloseableHttpClient client, FastHttpLikeUpstream upstream, String prefix, int n)
            throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(n);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = prefix + "-" + i;
                futures.add(callers.submit(() -> {
                    HttpPost post = new HttpPost(upstream.baseUri() + "/orders");
                    post.setHeader("Idempotency-Key", key);
                    try {
                        return (Object) client.execute(post, response -> response.getCode());
                    } catch (IOException e) {
                        return e;
                    }
                }));
            }
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> f : futures) {
                outcomes.add(f.get(30, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void withTheBudgetSpentAnUnknownOutcomeEndsUnresolvedAtTheHandlerAndNothingIsResent() throws Exception {
        try (LedgerServer ledger = new LedgerServer()) {
            ledger.script((key, arrival) -> LedgerServer.Behavior.STALL_AFTER_RECORD);
            Queue<TimeoutRecoveryException> unresolved = new ConcurrentLinkedQueue<>();
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .mode(RecoveryMode.RESEND_WITH_KEY)
                    .retryBudget(0.0, 0, Duration.ofSeconds(10))
                    .unresolvedOutcomeHandler(unresolved::add)
                    .build();
            try (CloseableHttpClient client = policy.wrap(policy.instrument(
                    LedgerClients.builder(LedgerClients.pool(), Duration.ofMillis(300))).build())) {
                HttpPost post = new HttpPost(ledger.baseUri() + "/payments");
                post.setHeader("Idempotency-Key", "budget-1");
                post.setEntity(new StringEntity("{\"amount\":1}", ContentType.APPLICATION_JSON));
                TimeoutRecoveryException end = org.assertj.core.api.Assertions.catchThrowableOfType(
                        TimeoutRecoveryException.class, () -> client.execute(post, response -> response.getCode()));
                assertThat(end.outcome()).isEqualTo(RecoveryOutcome.UNRESOLVED);
                assertThat(end.toString() + end.trail()).contains("retry budget exhausted");
                assertThat(unresolved).containsExactly(end);
            }
            assertThat(ledger.records("budget-1")).isEqualTo(1);
            assertThat(ledger.arrivals("budget-1")).isEqualTo(1);
        }
    }
}
