package dev.abortguard.server;

import java.util.List;
import java.util.Objects;

/**
 * Receives one call per aborted request (never more, whatever the number of failing writes).
 *
 * <p>Called on the thread that noticed the abort — a request thread or an application executor
 * thread — so implementations must be thread-safe and fast; they must not throw (a throwing
 * implementation is caught and logged once at WARN, and the request is unaffected).
 *
 * <p>The Micrometer adapter is {@code dev.abortguard.micrometer.MicrometerAbortMetrics}, in the
 * module abort-guard-micrometer.
 *
 * @see AbortCounters the built-in, lock-free implementation
 */
@FunctionalInterface
public interface AbortMetrics {

    /**
     * Records one aborted request.
     *
     * @param event the aborted request
     */
    void record(ClientAbortEvent event);

    /**
     * Records nothing.
     *
     * @return metrics that ignore every event
     */
    static AbortMetrics none() {
        return event -> { };
    }

    /**
     * Records into each of {@code metrics}, in order.
     *
     * @param metrics the metrics to record into; no element may be {@code null}
     * @return metrics that pass each event to every one of {@code metrics}
     * @throws NullPointerException if {@code metrics} or one of its elements is {@code null}
     */
    static AbortMetrics composite(AbortMetrics... metrics) {
        List<AbortMetrics> all = List.of(metrics);
        all.forEach(m -> Objects.requireNonNull(m, "metrics element"));
        return event -> {
            for (AbortMetrics m : all) {
                m.record(event);
            }
        };
    }
}
