package dev.abortguard.server;

import dev.abortguard.server.internal.AbortReporter;
import dev.abortguard.server.internal.EscapedThrowables;
import dev.abortguard.server.internal.Exchange;
import jakarta.servlet.ServletRequest;

/**
 * For code that catches exceptions itself: an executor thread that streams a response, a Spring
 * {@code @ExceptionHandler}, an error callback. Replace {@code log.error(e)} with
 *
 * <pre>{@code
 * if (!abortHandler.handle(e, request)) {
 *     log.error("stream failed", e);   // a real error: as loud as before
 * }
 * }</pre>
 *
 * <p>{@code handle} returns {@code true} if {@code e} is a client abort, after logging and
 * counting it — unless the filter's wrappers already reported this request's abort (then it only
 * returns {@code true}: one line, one count per request). It returns {@code false} for everything
 * else and does nothing, so the caller logs the real error as it always did.
 *
 * <p>Get one from {@link ClientAbortFilter#handler()} (it shares the filter's log and metrics), or
 * {@link #withDefaults()} without a filter. Thread-safe.
 */
public final class ClientAbortHandler {

    private final AbortReporter reporter;

    ClientAbortHandler(AbortReporter reporter) {
        this.reporter = reporter;
    }

    /**
     * A handler with the filter's default settings and its own {@link AbortCounters}.
     *
     * @return a new handler, not shared with any registered filter
     */
    public static ClientAbortHandler withDefaults() {
        return new ClientAbortHandler(FilterSettings.DEFAULTS.reporter());
    }

    /**
     * Handles {@code t} for the request being served, if the filter wraps it: the log line then
     * carries the route, bytes written and silence, and an abort the filter already reported is not
     * counted again. Falls back to {@link #handle(Throwable)} for a request the filter did not see.
     *
     * @param t the caught throwable; {@code null} gives {@code false}
     * @param request the request being served, or {@code null}
     * @return {@code true} if {@code t} is a client abort (handled), {@code false} if it is a real error
     */
    public boolean handle(Throwable t, ServletRequest request) {
        if (t == null) {
            return false;
        }
        Exchange exchange = request == null ? null : safeExchange(request);
        return EscapedThrowables.isAbort(reporter, exchange, t);
    }

    /**
     * Handles {@code t} without request context. An abort that the filter's wrappers reported
     * recently is recognised by identity and not counted again.
     *
     * @param t the caught throwable; {@code null} gives {@code false}
     * @return {@code true} if {@code t} is a client abort (handled), {@code false} if it is a real error
     */
    public boolean handle(Throwable t) {
        if (t == null) {
            return false;
        }
        return EscapedThrowables.isAbort(reporter, null, t);
    }

    /**
     * Whether {@link ClientAbortFilter} reported a client abort for this request: for code that
     * describes the request afterwards (an observation convention, an access log) and should not
     * call it a success or an error.
     *
     * @param request a request the filter may have wrapped; {@code null} gives {@code false}
     * @return {@code true} if the filter logged and counted a client abort for {@code request}
     */
    public static boolean clientAborted(ServletRequest request) {
        Exchange exchange = request == null ? null : safeExchange(request);
        return exchange != null && exchange.aborted();
    }

    /**
     * The classifier this handler applies to throwables the filter did not see.
     *
     * @return the classifier, shared with the filter that created this handler
     */
    public ClientAbortClassifier classifier() {
        return reporter.classifier();
    }

    /**
     * The metrics this handler records into.
     *
     * @return the metrics, shared with the filter that created this handler
     */
    public AbortMetrics metrics() {
        return reporter.metrics();
    }

    private static Exchange safeExchange(ServletRequest request) {
        try {
            return Exchange.of(request);
        } catch (RuntimeException recycled) {
            return null;
        }
    }
}
