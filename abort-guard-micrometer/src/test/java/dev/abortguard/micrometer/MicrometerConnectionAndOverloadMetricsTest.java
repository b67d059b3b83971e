package dev.abortguard.micrometer;

import dev.abortguard.client.ConnectionCloseReason;
import dev.abortguard.client.FailurePhase;
import dev.abortguard.client.RecoveryContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The connection and overload meters, read from a real registry. */
class MicrometerConnectionAndOverloadMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static RecoveryContext context(String route) {
        return new RecoveryContext("POST", URI.create(route + "/orders"), List.of(), "k", 1, Duration.ZERO,
                FailurePhase.OUTCOME_UNKNOWN, null, route);
    }

    @Test
    void connectionsAreCountedByRouteReasonSideAndReset() {
        MicrometerConnectionMetrics metrics = new MicrometerConnectionMetrics(registry);
        metrics.onOpened("http://upstream:80");
        metrics.onOpened("http://upstream:80");
        metrics.onOpened("http://other:80");
        metrics.onClosed("http://upstream:80", ConnectionCloseReason.SERVER_CONNECTION_CLOSE, true);
        metrics.onClosed("http://upstream:80", ConnectionCloseReason.EVICTED, false);

        assertThat(registry.get(MicrometerConnectionMetrics.OPENED).tag("route", "http://upstream:80").counter().count())
                .isEqualTo(2);
        assertThat(registry.get(MicrometerConnectionMetrics.OPENED).tag("route", "http://other:80").counter().count())
                .isEqualTo(1);
        assertThat(registry.get(MicrometerConnectionMetrics.CLOSED).tag("route", "http://upstream:80")
                .tag("reason", "server_connection_close").tag("closed_by", "server").tag("reset", "true")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerConnectionMetrics.CLOSED).tag("reason", "evicted")
                .tag("closed_by", "client").tag("reset", "false").counter().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerConnectionMetrics.CLOSED).counters()).hasSize(2);
        assertThat(registry.get(MicrometerConnectionMetrics.CLOSED).counter().getId().getDescription()).isNotBlank();
    }

    @Test
    void overloadSignalsAndInFlightWaitsAreTaggedWithTheirRoute() {
        MicrometerRecoveryMetrics metrics = new MicrometerRecoveryMetrics(registry);
        metrics.onNotApplied(context("http://upstream:80"));
        metrics.onNotApplied(context("http://upstream:80"));
        metrics.onRetryAfter(context("http://upstream:80"), Duration.ofSeconds(1));
        metrics.onBudgetExhausted(context("http://upstream:80"));
        metrics.onInFlightWait("http://upstream:80", Duration.ofMillis(40), true);
        metrics.onInFlightWait("http://upstream:80", Duration.ofMillis(50), false);
        metrics.onFailure(context("http://other:80"));

        assertThat(registry.get(MicrometerRecoveryMetrics.OVERLOAD).tag("route", "http://upstream:80")
                .tag("signal", "not_applied").counter().count()).isEqualTo(2);
        assertThat(registry.get(MicrometerRecoveryMetrics.OVERLOAD).tag("signal", "retry_after").counter().count())
                .isEqualTo(1);
        assertThat(registry.get(MicrometerRecoveryMetrics.OVERLOAD).tag("signal", "budget_exhausted").counter().count())
                .isEqualTo(1);
        assertThat(registry.get(MicrometerRecoveryMetrics.OVERLOAD).tag("signal", "in_flight_rejected").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get(MicrometerRecoveryMetrics.IN_FLIGHT_WAIT).tag("admitted", "true").timer().count())
                .isEqualTo(1);
        assertThat(registry.get(MicrometerRecoveryMetrics.IN_FLIGHT_WAIT).tag("admitted", "false").timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(50);
        assertThat(registry.get(MicrometerRecoveryMetrics.FAILURES).tag("route", "http://other:80").counter().count())
                .isEqualTo(1);
    }

    @Test
    void routesBeyondTheBoundShareOneTagValue() {
        MicrometerConnectionMetrics metrics = new MicrometerConnectionMetrics(registry);
        for (int i = 0; i < RouteTag.MAX_ROUTES + 50; i++) {
            metrics.onOpened("http://host-" + i + ":80");
        }
        assertThat(registry.get(MicrometerConnectionMetrics.OPENED).counters()).hasSize(RouteTag.MAX_ROUTES + 1);
        assertThat(registry.get(MicrometerConnectionMetrics.OPENED).tag("route", "OTHER").counter().count())
                .isEqualTo(50);
    }
}
