package dev.abortguard.server.internal;

import dev.abortguard.server.AbortKind;
import dev.abortguard.server.AbortMetrics;
import dev.abortguard.server.ClientAbortClassifier;
import dev.abortguard.server.ClientAbortEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * One filter's reporting: turns an abort event into one log line and one metric record. Which
 * abort is reported, and that it is reported once per request, is the {@link Exchange}'s decision
 * (a compare-and-set there); this class takes no lock and knows no request.
 *
 * <p>Nothing here may break the request: metrics are user code, so they are guarded.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class AbortReporter implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger("dev.abortguard.server.AbortReporter"); // the name users configured

    /**
     * How an event is made: {@link ClientAbortEvent}'s constructor, which is not API.
     */
    @FunctionalInterface
    public interface EventFactory {
        /**
         * Makes an event.
         *
         * @param kind where the abort was noticed
         * @param method the HTTP method, or {@code null}
         * @param path the path, or {@code null}
         * @param route the route, or {@code null}
         * @param status the status, or {@code -1}
         * @param bytesWritten body bytes written, or {@code -1}
         * @param elapsedNanos time since the request started, or {@code -1}
         * @param silenceNanos time since I/O last succeeded, or {@code -1}
         * @param requestId the request id, or {@code null}
         * @param idempotencyKey the idempotency key, or {@code null}
         * @param cause the failure, or {@code null}
         * @return the event
         */
        ClientAbortEvent create(AbortKind kind, String method, String path, String route, int status,
                                long bytesWritten, long elapsedNanos, long silenceNanos, String requestId,
                                String idempotencyKey, Throwable cause);
    }

    /**
     * Everything a filter's reporter is configured with.
     *
     * @param classifier the rules for throwables the wrappers did not see
     * @param carriers which throwables may stand above a recorded abort (the classifier's carriers)
     * @param log the abort log
     * @param metrics where aborts are counted
     * @param requestIdHeaders headers whose first present value is the request id
     * @param idempotencyKeyHeader the header of the idempotency key, or {@code null}
     * @param routeAttributes request attributes that hold the route, first present wins
     * @param events how events are made
     */
    public record Settings(ClientAbortClassifier classifier, Predicate<Throwable> carriers, AbortLog log,
                           AbortMetrics metrics, List<String> requestIdHeaders, String idempotencyKeyHeader,
                           List<String> routeAttributes, EventFactory events) {
        /** Copies the lists. */
        public Settings {
            requestIdHeaders = List.copyOf(requestIdHeaders);
            routeAttributes = List.copyOf(routeAttributes);
        }
    }

    private final Settings settings;
    private final AtomicBoolean metricsFailureLogged = new AtomicBoolean();

    /**
     * A reporter.
     *
     * @param settings what it reports with
     */
    public AbortReporter(Settings settings) {
        this.settings = settings;
    }

    /**
     * The filter's classifier.
     *
     * @return the classifier
     */
    public ClientAbortClassifier classifier() {
        return settings.classifier();
    }

    Predicate<Throwable> carriers() {
        return settings.carriers();
    }

    Settings settings() {
        return settings;
    }

    /**
     * The filter's metrics.
     *
     * @return the metrics
     */
    public AbortMetrics metrics() {
        return settings.metrics();
    }

    /**
     * Records {@code event} in the metrics and writes its line: called once per aborted request, by
     * the thread that claimed the report ({@link Exchange}), or once per throwable without request
     * context ({@link EscapedThrowables}).
     */
    void report(ClientAbortEvent event) {
        AbortMetrics metrics = settings.metrics();
        try {
            metrics.record(event);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            if (metricsFailureLogged.compareAndSet(false, true)) {
                LOGGER.warn("AbortMetrics {} threw; aborts are still logged, this warning is shown once",
                        metrics.getClass().getName(), e);
            }
        }
        settings.log().log(event);
    }

    @Override
    public void close() {
        settings.log().close();
    }
}
