package dev.abortguard.micrometer;

import dev.abortguard.client.ConnectionCloseReason;
import dev.abortguard.client.ConnectionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Publishes the connection churn of pools built through {@code
 * TimeoutRecoveryPolicy.instrument(PoolingHttpClientConnectionManagerBuilder)} as Micrometer
 * counters; register it with {@code
 * TimeoutRecoveryPolicy.Builder.addConnectionListener(new MicrometerConnectionMetrics(registry))}.
 *
 * <ul>
 *   <li>{@code abortguard.client.connections.opened}, tag {@code route}: connections opened;
 *   <li>{@code abortguard.client.connections.closed}, tags {@code route}, {@code reason} (a {@link
 *       ConnectionCloseReason} in lower case), {@code closed_by} ({@code client}, {@code server})
 *       and {@code reset} ({@code true}: the client's close was a reset, no {@code TIME_WAIT} on
 *       the client; {@code false}: orderly).
 * </ul>
 *
 * <p>{@code route} is {@code scheme://host:port}, at most 256 values (further routes are {@code
 * OTHER}). For the pool's own gauges (leased, available, pending, max) bind Micrometer's {@code
 * PoolingHttpClientConnectionManagerMetricsBinder} to the same pool.
 */
public final class MicrometerConnectionMetrics implements ConnectionListener {

    /** Counter name: connections opened, tag {@code route}. */
    public static final String OPENED = "abortguard.client.connections.opened";
    /** Counter name: connections closed, tags {@code route}, {@code reason}, {@code closed_by} and {@code reset}. */
    public static final String CLOSED = "abortguard.client.connections.closed";

    private static final ConnectionCloseReason[] REASONS = ConnectionCloseReason.values();

    private final RouteTag<Counter> opened;
    private final RouteTag<Counter> closed;

    /**
     * Creates the adapter; meters are registered in {@code registry} as connections open and close.
     *
     * @param registry where to register the counters
     * @throws NullPointerException if {@code registry} is {@code null}
     */
    public MicrometerConnectionMetrics(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        opened = new RouteTag<>(1, (route, i) -> Counter.builder(OPENED)
                .description("HTTP client connections opened")
                .tag("route", route)
                .register(registry));
        closed = new RouteTag<>(REASONS.length * 2, (route, i) -> {
            ConnectionCloseReason reason = REASONS[i / 2];
            return Counter.builder(CLOSED)
                    .description("HTTP client connections closed, by why, by which side, and whether the client reset"
                            + " them (no TIME_WAIT on the client) or closed them orderly")
                    .tag("route", route)
                    .tag("reason", MicrometerRecoveryMetrics.tag(reason))
                    .tag("closed_by", MicrometerRecoveryMetrics.tag(reason.closedBy()))
                    .tag("reset", i % 2 == 1 ? "true" : "false")
                    .register(registry);
        });
    }

    @Override
    public void onOpened(String route) {
        opened.meter(route, 0).increment();
    }

    @Override
    public void onClosed(String route, ConnectionCloseReason reason, boolean reset) {
        closed.meter(route, reason.ordinal() * 2 + (reset ? 1 : 0)).increment();
    }
}
