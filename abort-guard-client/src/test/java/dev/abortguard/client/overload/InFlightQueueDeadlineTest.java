package dev.abortguard.client.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.InFlightLimitExceededException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.client.ledger.LedgerClients;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.Test;

/**
 * A wait for an in-flight permit never outlives the exchange deadline, even with a queue time far
 * longer: the typed exception arrives by the deadline plus a small tolerance, and the upstream never
 * sees more than the limit in flight.
 */
class InFlightQueueDeadlineTest {

    private static final int LIMIT = 2;
    private static final int CALLERS = 8;
    private static final Duration LATENCY = Duration.ofMillis(400);
    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private static final Duration TOLERANCE = Duration.ofMillis(250);

    /** One caller's result and how long it took from its call. */
    private record Call(String key, Object outcome, Duration took) {}

    @Test
    void aQueuedRequestFailsUnsentByItsExchangeDeadlineNotByTheLongerQueueTime() throws Exception {
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .maxInFlightPerRoute(LIMIT, Duration.ofSeconds(30))
                .exchangeDeadline(DEADLINE)
                .build();
        List<Call> calls = new ArrayList<>();
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(100, LATENCY);
             CloseableHttpClient client = policy.wrap(policy.instrument(
                     LedgerClients.builder(LedgerClients.pool(), Duration.ofSeconds(5))).build())) {
            ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<Call>> futures = new ArrayList<>();
                for (int i = 0; i < CALLERS; i++) {
                    String key = "queued-" + i;
                    futures.add(callers.submit(() -> {
                        HttpPost post = new HttpPost(upstream.baseUri() + "/orders");
                        post.setHeader("Idempotency-Key", key);
                        post.setEntity(new StringEntity("order " + key, ContentType.TEXT_PLAIN));
                        go.await();
                        long start = System.nanoTime();
                        Object outcome;
                        try {
                            outcome = client.execute(post, response -> response.getCode());
                        } catch (IOException e) {
                            outcome = e;
                        }
                        return new Call(key, outcome, Duration.ofNanos(System.nanoTime() - start));
                    }));
                }
                go.countDown();
                for (Future<Call> f : futures) {
                    calls.add(f.get(30, TimeUnit.SECONDS));
                }
            } finally {
                callers.shutdownNow();
            }
            long shed = 0;
            long answered = 0;
            Duration slowestShed = Duration.ZERO;
            for (Call call : calls) {
                if (call.outcome() instanceof InFlightLimitExceededException) {
                    shed++;
                    InFlightLimitExceededException e = (InFlightLimitExceededException) call.outcome();
                    assertThat(call.took()).as(call.key() + " gave up after").isLessThanOrEqualTo(DEADLINE.plus(TOLERANCE));
                    assertThat(e.waited()).as(call.key() + " waited").isLessThanOrEqualTo(DEADLINE.plus(TOLERANCE));
                    assertThat(e.limit()).isEqualTo(LIMIT);
                    // nothing of it was sent
                    assertThat(upstream.processed(call.key())).as(call.key()).isZero();
                    slowestShed = call.took().compareTo(slowestShed) > 0 ? call.took() : slowestShed;
                } else {
                    assertThat(call.outcome()).as(call.key()).isEqualTo(201);
                    answered++;
                    // admitted before its deadline, then served in one upstream latency
                    assertThat(call.took()).as(call.key()).isLessThanOrEqualTo(DEADLINE.plus(LATENCY).plus(TOLERANCE));
                    assertThat(upstream.processed(call.key())).as(call.key()).isEqualTo(1);
                }
            }
            System.out.printf("in-flight %d, queue time 30 s, exchange deadline %d ms, %d callers, upstream %d ms:"
                            + " answered %d, shed %d (the slowest after %d ms), upstream saw at most %d in flight%n",
                    LIMIT, DEADLINE.toMillis(), CALLERS, LATENCY.toMillis(), answered, shed, slowestShed.toMillis(),
                    upstream.maxConcurrentRequests());
            assertThat(shed).as("callers whose wait reached the deadline").isPositive();
            assertThat(shed + answered).isEqualTo(CALLERS);
            assertThat(upstream.maxConcurrentRequests()).isLessThanOrEqualTo(LIMIT);
            assertThat(slowestShed).as("they waited up to the deadline, not less").isGreaterThanOrEqualTo(DEADLINE.minus(TOLERANCE));
        }
    }
}
