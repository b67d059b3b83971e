package dev.abortguard.client.overload;

import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import dev.abortguard.client.RecoveryCounters;
import dev.abortguard.client.RecoveryCounters.OverloadCounts;
import dev.abortguard.client.RecoveryMode;
import dev.abortguard.client.TimeoutRecoveryPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RecoveryCounters#overloadByRoute()}: the overload signals per route, without Micrometer,
 * held against two real upstreams behind one client — one refusing beyond its connection limit, one
 * slow behind the in-flight limit.
 */
class RecoveryCountersByRouteTest {

    private static final int ORDERS = 12;

    private static List<Object> orders(CloseableHttpClient client, FastHttpLikeUpstream upstream, String prefix)
            throws Exception {
        return ConcurrentOrders.send(client, upstream, prefix, ORDERS);
    }

    @Test
    void eachUpstreamsSignalsAreCountedOnItsOwnRoute() throws Exception {
        RecoveryCounters counters = new RecoveryCounters();
        TimeoutRecoveryPolicy policy = TimeoutRecoveryPolicy.builder()
                .mode(RecoveryMode.REPORT_ONLY)
                .maxAttempts(20)
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .maxInFlightPerRoute(3, Duration.ofMillis(50))
                .addListener(counters)
                .build();
        try (FastHttpLikeUpstream refusing = new FastHttpLikeUpstream(2, Duration.ofMillis(200));
             FastHttpLikeUpstream slow = new FastHttpLikeUpstream(100, Duration.ofMillis(300));
             CloseableHttpClient client = policy.wrap(policy.instrument(HttpClients.custom()
                     .setConnectionManager(policy.instrument(PoolingHttpClientConnectionManagerBuilder.create()
                             .setMaxConnTotal(64).setMaxConnPerRoute(64)).build())
                     .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(5)).build()))
                     .build())) {
            orders(client, refusing, "refused");
            orders(client, slow, "slow");

            Map<String, OverloadCounts> byRoute = counters.overloadByRoute();
            assertThat(byRoute).containsOnlyKeys(refusing.baseUri(), slow.baseUri());
            OverloadCounts a = counters.overload(refusing.baseUri());
            OverloadCounts b = counters.overload(slow.baseUri());
            // the refusals are the refusing upstream's, every one of them, and none is the slow one's
            assertThat(refusing.refusedConnections()).isPositive();
            assertThat(a.notApplied()).isEqualTo(refusing.refusedConnections());
            assertThat(b.notApplied()).isZero();
            assertThat(slow.refusedConnections()).isZero();
            // 12 callers against 3 permits and 300 ms answers: the slow route waited and refused some
            assertThat(b.inFlightWaits()).isPositive();
            assertThat(b.inFlightRejections()).isPositive().isLessThanOrEqualTo(b.inFlightWaits());
            assertThat(b.inFlightWaitTime()).isPositive();
            // per route adds up to the totals
            assertThat(a.notApplied() + b.notApplied()).isEqualTo(counters.notApplied());
            assertThat(a.inFlightWaits() + b.inFlightWaits()).isEqualTo(counters.inFlightWaits());
            assertThat(a.inFlightRejections() + b.inFlightRejections()).isEqualTo(counters.inFlightRejections());
            assertThat(a.inFlightWaitTime().plus(b.inFlightWaitTime())).isEqualTo(counters.inFlightWaitTime());
            assertThat(a.budgetExhausted() + b.budgetExhausted()).isEqualTo(counters.budgetExhausted());
            assertThat(refusing.duplicates()).isEmpty();
        }
        assertThat(counters.overload("http://never-seen:80")).isEqualTo(OverloadCounts.NONE);
    }

    @Test
    void routesBeyondTheBoundAndWaitsWithoutARouteCountUnderOther() {
        RecoveryCounters counters = new RecoveryCounters();
        int routes = RecoveryCounters.MAX_ROUTES + 44;
        for (int i = 0; i < routes; i++) {
            String route = "http://host-" + i + ":80";
            counters.onNotApplied(new RecoveryContext("POST", URI.create(route + "/orders"), List.of(), "k", 1,
                    Duration.ZERO, FailurePhase.RESPONSE_RECEIVED, null, route));
            counters.onInFlightWait(route, Duration.ofMillis(1), i % 2 == 0);
        }
        counters.onBudgetExhausted(new RecoveryContext("POST", URI.create("http://host-299:80/orders"), List.of(), "k", 1,
                Duration.ZERO, FailurePhase.OUTCOME_UNKNOWN, null, "http://host-299:80"));
        counters.onInFlightWait(null, Duration.ofMillis(1), true);

        Map<String, OverloadCounts> byRoute = counters.overloadByRoute();
        assertThat(byRoute).hasSize(RecoveryCounters.MAX_ROUTES + 1);
        OverloadCounts other = counters.overload(RecoveryCounters.OVERFLOW);
        assertThat(other.notApplied()).isEqualTo(44);
        assertThat(other.inFlightWaits()).isEqualTo(45);
        assertThat(other.inFlightRejections()).isEqualTo(22);
        assertThat(other.budgetExhausted()).isEqualTo(1);
        assertThat(other.inFlightWaitTime()).isEqualTo(Duration.ofMillis(45));
        assertThat(counters.overload("http://host-0:80").notApplied()).isEqualTo(1);
        assertThat(byRoute.values().stream().mapToLong(OverloadCounts::notApplied).sum()).isEqualTo(routes);
    }
}
