package dev.abortguard.client.overload;

import dev.abortguard.client.ConnectionCloseReason;
import dev.abortguard.client.ConnectionCounters;
import dev.abortguard.client.InFlightLimitExceededException;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryCounters;
import dev.abortguard.client.RecoveryListener;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the operator sees of an overloaded upstream: the overload signals (not-applied answers,
 * in-flight waits and rejections, budget refusals) with their route, and the connection churn,
 * held against the fasthttp-like upstream's own counts.
 */
class OverloadSignalsTest {

    private static final int ORDERS = 12;

    private static CloseableHttpClient client(TimeoutRecoveryPolicy policy) {
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(64).setMaxConnPerRoute(64)
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2)).build());
        return policy.wrap(policy.instrument(HttpClients.custom()
                .setConnectionManager(policy.instrument(pool).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(5)).build()))
                .build());
    }

    private static List<Object> orders(CloseableHttpClient client, FastHttpLikeUpstream upstream, String prefix)
            throws Exception {
        return ConcurrentOrders.send(client, upstream, prefix, ORDERS);
    }

    @Test
    void refusalsAreCountedAsNotAppliedOnTheirRouteAndEveryConnectionTheUpstreamSawIsCounted() throws Exception {
        RecoveryCounters recovery = new RecoveryCounters();
        ConnectionCounters connections = new ConnectionCounters();
        Queue<String> routes = new ConcurrentLinkedQueue<>();
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(2, Duration.ofMillis(200))) {
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .mode(RecoveryMode.REPORT_ONLY)
                    .maxAttempts(20)
                    .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                    .addListener(recovery)
                    .addListener(new RecoveryListener() {
                        @Override
                        public void onNotApplied(RecoveryContext context) {
                            routes.add(context.route());
                        }
                    })
                    .addConnectionListener(connections)
                    .build();
            String route = upstream.baseUri();
            try (CloseableHttpClient client = client(policy)) {
                assertThat(orders(client, upstream, "signals")).containsOnly(201);
            }
            // the upstream refused connections beyond its limit; each refusal was counted as not applied
            assertThat(upstream.refusedConnections()).isPositive();
            assertThat(recovery.notApplied()).isEqualTo(upstream.refusedConnections());
            assertThat(routes).hasSize(upstream.refusedConnections()).containsOnly(route);
            assertThat(upstream.duplicates()).isEmpty();
            // connections: opened as the upstream accepted them, each refusal closed at the server's word
            assertThat(connections.opened(route)).as(connections::toString).isEqualTo(upstream.connectionsAccepted());
            assertThat(connections.closed(route, ConnectionCloseReason.SERVER_CONNECTION_CLOSE))
                    .as(connections::toString).isEqualTo(upstream.refusedConnections());
            // closing the client evicted the rest: everything opened is closed
            assertThat(connections.closed(route)).as(connections::toString).isEqualTo(connections.opened(route));
            System.out.printf("fasthttp-like upstream, limit 2, %d orders: %d refused, %s; %s%n",
                    ORDERS, upstream.refusedConnections(), recovery, connections);
        }
    }

    @Test
    void inFlightWaitsAndRejectionsAreCountedAndTheirRouteNamed() throws Exception {
        RecoveryCounters recovery = new RecoveryCounters();
        Queue<String> waits = new ConcurrentLinkedQueue<>();
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(100, Duration.ofMillis(300))) {
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .maxInFlightPerRoute(2, Duration.ofMillis(50))
                    .addListener(recovery)
                    .addListener(new RecoveryListener() {
                        @Override
                        public void onInFlightWait(String route, Duration waited, boolean admitted) {
                            waits.add(route + (admitted ? " admitted" : " refused"));
                        }
                    })
                    .build();
            List<Object> outcomes;
            try (CloseableHttpClient client = client(policy)) {
                outcomes = orders(client, upstream, "shed");
            }
            long shed = outcomes.stream().filter(o -> o instanceof InFlightLimitExceededException).count();
            assertThat(shed).isPositive();
            assertThat(recovery.inFlightRejections()).isEqualTo(shed);
            assertThat(recovery.inFlightWaits()).isGreaterThanOrEqualTo(shed);
            assertThat(recovery.inFlightWaitTime()).isGreaterThanOrEqualTo(Duration.ofMillis(50).multipliedBy(shed));
            assertThat(waits).contains(upstream.baseUri() + " refused");
        }
    }

    @Test
    void aSpentBudgetIsCountedOncePerRefusedRequest() throws Exception {
        RecoveryCounters recovery = new RecoveryCounters();
        try (FastHttpLikeUpstream upstream = new FastHttpLikeUpstream(1, Duration.ofMillis(300))) {
            TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                    .mode(RecoveryMode.REPORT_ONLY)
                    .retryBudget(0.0, 0, Duration.ofSeconds(10))
                    .addListener(recovery)
                    .build();
            List<Object> outcomes;
            try (CloseableHttpClient client = client(policy)) {
                outcomes = orders(client, upstream, "budget");
            }
            // with no budget a refused order is not sent again: it ends with the upstream's 503
            long refused = outcomes.stream().filter(o -> o.equals(503)).count();
            await().atMost(5, TimeUnit.SECONDS).until(() -> upstream.refusedConnections() == refused);
            assertThat(refused).isPositive();
            assertThat(recovery.notApplied()).isEqualTo(refused);
            assertThat(recovery.budgetExhausted()).isEqualTo(refused);
            assertThat(recovery.retries() + recovery.resends()).isZero();
        }
    }
}
