package dev.abortguard.server;

import dev.abortguard.server.internal.Causes;
import dev.abortguard.server.internal.RecordedAbortTable;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.MappingMatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns a recognised abort into one log line and one metric record, at most once per request.
 * Shared by {@link ClientAbortFilter}, its stream wrappers and {@link ClientAbortHandler}.
 *
 * <p>Nothing here may break the request: event building reads a request that another thread may be
 * finishing, and metrics are user code, so both are guarded.
 */
final class AbortReporter implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(AbortReporter.class);

    final ClientAbortClassifier classifier;
    private final AbortLog log;
    private final AbortMetrics metrics;
    private final List<String> requestIdHeaders;
    private final String idempotencyKeyHeader;
    private final List<String> routeAttributes;
    private final AtomicBoolean metricsFailureLogged = new AtomicBoolean();
    AbortReporter(ClientAbortClassifier classifier, AbortLog log, AbortMetrics metrics,
                  List<String> requestIdHeaders, String idempotencyKeyHeader, List<String> routeAttributes) {
        this.classifier = classifier;
        this.log = log;
        this.metrics = metrics;
        this.requestIdHeaders = List.copyOf(requestIdHeaders);
        this.idempotencyKeyHeader = idempotencyKeyHeader;
        this.routeAttributes = List.copyOf(routeAttributes);
    }

    AbortMetrics metrics() {
        return metrics;
    }

    /** A read or write through our wrappers failed: a client abort by construction. */
    void streamFailed(ExchangeState state, AbortKind kind, Throwable failure) {
        state.rememberFailure(failure);
        RecordedAbortTable.ABORTS.remember(failure);
        if (state.claimReport()) {
            report(event(state, kind, failure));
        }
    }

    /**
     * Whether {@code t} is a failure our wrappers saw (of this request, or recently when {@code
     * state} is {@code null}), or carries one on through wrapper types only (a framework's {@code
     * ServletException}, say). An application's own exception that wraps the abort — {@code new
     * IllegalStateException("payment failed", abort)} — is a new failure: not this.
     */
    boolean isRecordedAbort(ExchangeState state, Throwable t) {
        return (state != null ? state.failures() : RecordedAbortTable.ABORTS).reachedThrough(t, classifier::carriesAbortOn);
    }

    /**
     * Whether a throwable escaping the filter chain (or handed to {@link ClientAbortHandler}) is a
     * client abort of this request; reports it if nothing was reported for the request yet. Never
     * throws (but an {@code OutOfMemoryError}): the application's throwable must leave the filter as
     * it is, so whatever deciding about it raises — a hostile throwable, a metrics or logging
     * backend that throws — means "not an abort", never a replacement of the application's
     * exception by the library's.
     */
    boolean escapedIsAbort(ExchangeState state, Throwable t) {
        try {
            return decideEscaped(state, t);
        } catch (Throwable failure) {
            Causes.rethrowIfFatal(failure);
            return false;
        }
    }

    private boolean decideEscaped(ExchangeState state, Throwable t) {
        if (!(t instanceof Exception)) {
            return false;
        }
        if (isRecordedAbort(state, t)) {
            return true;
        }
        if (!classifier.isClientAbort(t)) {
            return false;
        }
        RecordedAbortTable.ABORTS.remember(t);
        if (state == null) {
            report(new ClientAbortEvent(AbortKind.CLASSIFIED, null, null, null, -1, -1, -1, -1, null, null, t));
        } else {
            state.rememberFailure(t);
            if (state.claimReport()) {
                report(event(state, AbortKind.CLASSIFIED, t));
            }
        }
        return true;
    }

    private ClientAbortEvent event(ExchangeState state, AbortKind kind, Throwable failure) {
        long now = System.nanoTime();
        String route = null;
        String requestId = null;
        String idempotencyKey = null;
        int status = -1;
        try {
            route = route(state);
            requestId = requestId(state);
            idempotencyKey = idempotencyKeyHeader == null ? null : state.request.getHeader(idempotencyKeyHeader);
            status = state.response.getStatus();
        } catch (RuntimeException recycled) {
            // the container may already be recycling the request of a completed async exchange
        }
        return new ClientAbortEvent(kind, state.method, state.path, route, status, state.bytesWritten(),
                now - state.startNanos, now - state.lastIoNanos(), requestId, idempotencyKey, failure);
    }

    private String route(ExchangeState state) {
        for (String attribute : routeAttributes) {
            Object value = state.request.getAttribute(attribute);
            if (value != null) {
                return value.toString();
            }
        }
        HttpServletMapping mapping = state.request.getHttpServletMapping();
        if (mapping == null || mapping.getMappingMatch() == null || mapping.getMappingMatch() == MappingMatch.DEFAULT) {
            return null;
        }
        String pattern = mapping.getPattern();
        return pattern == null || pattern.isEmpty() ? null : pattern;
    }

    private String requestId(ExchangeState state) {
        for (String header : requestIdHeaders) {
            String value = state.request.getHeader(header);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private void report(ClientAbortEvent event) {
        try {
            metrics.record(event);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            if (metricsFailureLogged.compareAndSet(false, true)) {
                LOGGER.warn("AbortMetrics {} threw; aborts are still logged, this warning is shown once",
                        metrics.getClass().getName(), e);
            }
        }
        log.log(event);
    }

    @Override
    public void close() {
        log.close();
    }
}
