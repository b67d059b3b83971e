package dev.abortguard.server.internal;

import dev.abortguard.server.AbortKind;
import dev.abortguard.server.AbortMetrics;
import dev.abortguard.server.ClientAbortClassifier;
import dev.abortguard.server.ClientAbortEvent;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.MappingMatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * One filter's reporting: turns an abort into one log line and one metric record. Which abort
 * is reported, and that it is reported once per request, is the {@link Exchange}'s decision (a
 * compare-and-set there); this class takes no lock.
 *
 * <p>Nothing here may break the request: event building reads a request that another thread may be
 * finishing, and metrics are user code, so both are guarded.
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

    /**
     * The filter's metrics.
     *
     * @return the metrics
     */
    public AbortMetrics metrics() {
        return settings.metrics();
    }

    /**
     * Whether a throwable escaping the filter chain (or handed to {@code ClientAbortHandler}) is a
     * client abort of this request; reports it if nothing was reported for the request yet. Never
     * throws (but an {@code OutOfMemoryError}): the application's throwable must leave the filter as
     * it is, so whatever deciding about it raises — a hostile throwable, a metrics or logging
     * backend that throws — means "not an abort", never a replacement of the application's
     * exception by the library's.
     *
     * @param exchange the request's exchange, or {@code null} for a throwable without request context
     * @param t the throwable
     * @return {@code true} if {@code t} is a client abort (reported now or before)
     */
    public boolean escapedIsAbort(Exchange exchange, Throwable t) {
        try {
            return decideEscaped(exchange, t);
        } catch (Throwable failure) {
            Causes.rethrowIfFatal(failure);
            return false;
        }
    }

    private boolean decideEscaped(Exchange exchange, Throwable t) {
        if (!(t instanceof Exception)) {
            return false;
        }
        if (exchange != null ? exchange.isRecordedAbort(t) : RecordedAbortTable.ABORTS.reachedThrough(t, carriers())) {
            return true;
        }
        if (!classifier().isClientAbort(t)) {
            return false;
        }
        if (exchange == null) {
            RecordedAbortTable.ABORTS.remember(t);
            report(settings.events().create(AbortKind.CLASSIFIED, null, null, null, -1, -1, -1, -1, null, null, t));
        } else {
            exchange.classifiedAbort(t);
        }
        return true;
    }

    /** Reports the abort of {@code exchange}: called once per request, by the thread that claimed it. */
    void report(Exchange exchange, AbortKind kind, Throwable failure) {
        report(event(exchange, kind, failure));
    }

    private ClientAbortEvent event(Exchange exchange, AbortKind kind, Throwable failure) {
        long now = System.nanoTime();
        String route = null;
        String requestId = null;
        String idempotencyKey = null;
        int status = -1;
        try {
            route = route(exchange);
            requestId = requestId(exchange);
            String keyHeader = settings.idempotencyKeyHeader();
            idempotencyKey = keyHeader == null ? null : exchange.request().getHeader(keyHeader);
            status = exchange.response().getStatus();
        } catch (RuntimeException recycled) {
            // the container may already be recycling the request of a completed async exchange
        }
        BodyAccounting body = exchange.body();
        return settings.events().create(kind, exchange.method(), exchange.path(), route, status, body.bytesWritten(),
                now - exchange.startNanos(), now - body.lastIoNanos(), requestId, idempotencyKey, failure);
    }

    private String route(Exchange exchange) {
        for (String attribute : settings.routeAttributes()) {
            Object value = exchange.request().getAttribute(attribute);
            if (value != null) {
                return value.toString();
            }
        }
        HttpServletMapping mapping = exchange.request().getHttpServletMapping();
        if (mapping == null || mapping.getMappingMatch() == null || mapping.getMappingMatch() == MappingMatch.DEFAULT) {
            return null;
        }
        String pattern = mapping.getPattern();
        return pattern == null || pattern.isEmpty() ? null : pattern;
    }

    private String requestId(Exchange exchange) {
        for (String header : settings.requestIdHeaders()) {
            String value = exchange.request().getHeader(header);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private void report(ClientAbortEvent event) {
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
