package dev.abortguard.client.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.RecoveryOutcome;
import dev.abortguard.client.TimeoutRecoveryException;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import dev.abortguard.client.ledger.LedgerClients;
import java.io.IOException;
import java.time.Duration;
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
import org.junit.jupiter.api.Test;

/**
 * A heavier load than {@link OverloadRecoveryTest}: 240 orders from 24 callers, three times the
 * fasthttp-like upstream's 8 connections, callers willing to wait (exchange deadline eight times the
 * upstream latency). Raw HttpClient 5 and abort-guard in the same run, each figure beside the other.
 */
class OverloadAtScaleTest {

    private static final int ORDERS = 240;
    private static final int CALLERS = 24;
    private static final int UPSTREAM_LIMIT = 8;
    private static final Duration LATENCY = Duration.ofMillis(100);
    // eight times the latency: three waves of queueing (24 callers, 8 slots) plus a loaded machine's jitter
    private static final Duration DEADLINE = LATENCY.multipliedBy(8);

    /** What one run did, counted at the upstream and at the callers. */
    private record Run(int placedOnce, int duplicates, int unknown, int upstreamRequests, int refused, int connections,
            long millis) {
        double placedShare() {
            return (double) placedOnce / ORDERS;
        }

        double amplification() {
            return (double) upstreamRequests / ORDERS;
        }
    }

    @Test
    void aboveTheConnectionLimitAbortGuardPlacesAlmostEveryOrderOnceOverThePoolsConnections() throws Exception {
        Run raw;
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(UPSTREAM_LIMIT, LATENCY);
             CloseableHttpClient client = LedgerClients.builder(LedgerClients.pool(), DEADLINE).build()) {
            raw = orders(upstream, client, "raw", null);
        }
        Run guarded;
        Queue<TimeoutRecoveryException> unresolved = new ConcurrentLinkedQueue<>();
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(UPSTREAM_LIMIT, LATENCY)) {
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .mode(RecoveryMode.REPORT_ONLY)
                    .maxInFlightPerRoute(UPSTREAM_LIMIT, DEADLINE)
                    .exchangeDeadline(DEADLINE)
                    .maxAttempts(5)
                    .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                    .unresolvedOutcomeHandler(unresolved::add)
                    .build();
            try (CloseableHttpClient client = policy.wrap(
                    policy.instrument(LedgerClients.builder(LedgerClients.pool(), DEADLINE)).build())) {
                guarded = orders(upstream, client, "guarded", unresolved);
            }
        }
        System.out.printf("fasthttp-like upstream, %d connections, %d ms per order; %d orders from %d callers,"
                        + " exchange deadline %d ms:%n", UPSTREAM_LIMIT, LATENCY.toMillis(), ORDERS, CALLERS,
                DEADLINE.toMillis());
        System.out.printf("  %-30s %12s %12s%n", "", "raw HC5", "abort-guard");
        System.out.printf("  %-30s %11.1f%% %11.1f%%%n", "placed exactly once", 100 * raw.placedShare(),
                100 * guarded.placedShare());
        System.out.printf("  %-30s %12d %12d%n", "duplicates", raw.duplicates, guarded.duplicates);
        System.out.printf("  %-30s %12d %12d%n", "unknown outcomes", raw.unknown, guarded.unknown);
        System.out.printf("  %-30s %12.2f %12.2f%n", "upstream requests per order", raw.amplification(),
                guarded.amplification());
        System.out.printf("  %-30s %12d %12d%n", "upstream 503s", raw.refused, guarded.refused);
        System.out.printf("  %-30s %12d %12d%n", "connections opened", raw.connections, guarded.connections);
        System.out.printf("  %-30s %12d %12d%n", "run time (ms)", raw.millis, guarded.millis);

        // the scenario is real: raw HttpClient 5 loses orders to the upstream's refusals
        assertThat(raw.refused).isPositive();
        assertThat(raw.placedShare()).isLessThan(0.95);
        assertThat(guarded.placedShare()).isGreaterThanOrEqualTo(0.95);
        assertThat(guarded.duplicates).isZero();
        assertThat(guarded.unknown).isZero();
        assertThat(unresolved).isEmpty();
        assertThat(guarded.amplification()).isLessThanOrEqualTo(1.1);
        // bounded by the in-flight limit and the pool, not by the number of orders
        assertThat(guarded.connections).isLessThanOrEqualTo(2 * UPSTREAM_LIMIT);
    }

    /**
     * Runs the orders; an unknown is a failure after the request may have been written: for raw HttpClient
     * 5 any I/O failure but a refused connect, for abort-guard an UNRESOLVED ending.
     */
    private static Run orders(FastHttpLikeUpstream upstream, CloseableHttpClient client, String prefix,
            Queue<TimeoutRecoveryException> unresolved) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        long start = System.nanoTime();
        try {
            List<Future<Object>> results = new ArrayList<>();
            for (int i = 0; i < ORDERS; i++) {
                String key = prefix + "-" + i;
                results.add(callers.submit(() -> {
                    HttpPost post = new HttpPost(upstream.baseUri() + "/orders");
                    post.setHeader("Idempotency-Key", key);
                    post.setEntity(new StringEntity("{\"order\":\"" + key + "\"}", ContentType.APPLICATION_JSON));
                    try {
                        return (Object) client.execute(post, response -> response.getCode());
                    } catch (IOException e) {
                        return e;
                    }
                }));
            }
            int unknown = 0;
            for (Future<Object> result : results) {
                Object outcome = result.get(60, TimeUnit.SECONDS);
                if (outcome instanceof TimeoutRecoveryException) {
                    if (((TimeoutRecoveryException) outcome).outcome() == RecoveryOutcome.UNRESOLVED) {
                        unknown++;
                    }
                } else if (outcome instanceof IOException && !(outcome instanceof java.net.ConnectException)
                        && unresolved == null) {
                    unknown++;
                }
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            int placedOnce = 0;
            for (int i = 0; i < ORDERS; i++) {
                placedOnce += upstream.processed(prefix + "-" + i) == 1 ? 1 : 0;
            }
            return new Run(placedOnce, upstream.duplicates().size(), unknown, upstream.upstreamRequests(),
                    upstream.refusedConnections(), upstream.connectionsAccepted(), millis);
        } finally {
            callers.shutdownNow();
        }
    }
}
