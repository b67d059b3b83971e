package dev.abortguard.server.internal;

import dev.abortguard.server.AbortKind;
import dev.abortguard.server.ClientAbortEvent;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.function.Predicate;

/**
 * One request as the filter follows it, and the one object its wrappers talk to: who it is
 * (method, path, start), what was written ({@link BodyAccounting}), where its lifecycle stands,
 * which failures it saw, and whether its abort was reported. Each wrapper tells it what happened
 * ({@link #writeFailed}, {@link #readFailed}, ...); it asks {@link StreamFailureRules} whether that
 * is the client's doing and reports the abort — at most once per request — through the filter's
 * {@link AbortReporter}.
 *
 * <p>Shared by the request thread and any application thread that writes the response later
 * ({@code AsyncContext}, SSE). The report is claimed with one compare-and-set: threads that fail
 * at the same moment never wait for each other, and exactly one of them reports.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class Exchange {

    private static final String ATTRIBUTE = Exchange.class.getName();
    private static final VarHandle REPORTED;
    private static final VarHandle FAILURES;
    private static final VarHandle ESCAPED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            REPORTED = lookup.findVarHandle(Exchange.class, "reported", boolean.class);
            FAILURES = lookup.findVarHandle(Exchange.class, "failures", IdentityMemory.class);
            ESCAPED = lookup.findVarHandle(Exchange.class, "escapedRealErrors", IdentityMemory.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final String method;
    private final String path;
    private final long startNanos;
    private final AbortReporter reporter;
    private final BodyAccounting body;
    /**
     * The failures our wrappers saw (identity): what a rethrow of the same abort is recognised by.
     * Created with the first failure, through {@link #FAILURES}: a request that never fails (nearly
     * all of them) allocates nothing for it.
     */
    private volatile IdentityMemory failures;
    /** The real error that left the filter chain (so a later onError is not an abort); lazy too. */
    private volatile IdentityMemory escapedRealErrors;

    private volatile boolean completed;
    private volatile boolean outputClosedByApplication;
    private volatile boolean bodyTakenOver;
    /** Set once, through {@link #REPORTED}: the thread that sets it reports the request's abort. */
    private volatile boolean reported;

    private Exchange(HttpServletRequest request, HttpServletResponse response, AbortReporter reporter) {
        this.request = request;
        this.response = response;
        this.reporter = reporter;
        this.method = request.getMethod();
        this.path = RequestPaths.withoutPathParameters(request.getRequestURI());
        this.startNanos = System.nanoTime();
        this.body = new BodyAccounting(response, startNanos);
    }

    /**
     * Starts following a request: the new exchange is stored as a request attribute, so that a
     * later dispatch of the same request, and {@link #of}, find it.
     *
     * @param request the container's request
     * @param response the container's response
     * @param reporter the filter's reporter
     * @return the new exchange
     */
    public static Exchange begin(HttpServletRequest request, HttpServletResponse response, AbortReporter reporter) {
        Exchange exchange = new Exchange(request, response, reporter);
        request.setAttribute(ATTRIBUTE, exchange);
        return exchange;
    }

    /**
     * The exchange of a request the filter follows.
     *
     * @param request any request, wrapped or not
     * @return its exchange, or {@code null} if no filter follows it
     */
    public static Exchange of(ServletRequest request) {
        Object exchange = request.getAttribute(ATTRIBUTE);
        return exchange instanceof Exchange ? (Exchange) exchange : null;
    }

    // ---- identity ---------------------------------------------------------------------------

    HttpServletRequest request() {
        return request;
    }

    String method() {
        return method;
    }

    BodyAccounting body() {
        return body;
    }

    // ---- lifecycle --------------------------------------------------------------------------

    /** The exchange ended normally: a failing write from now on is the application's bug. */
    void markCompleted() {
        completed = true;
    }

    boolean completed() {
        return completed;
    }

    void markOutputClosedByApplication() {
        outputClosedByApplication = true;
    }

    boolean outputClosedByApplication() {
        return outputClosedByApplication;
    }

    /** After sendError/sendRedirect the container writes (or closes) the body, not the application. */
    void markBodyTakenOver() {
        bodyTakenOver = true;
    }

    boolean bodyTakenOver() {
        return bodyTakenOver;
    }

    /**
     * Whether this request's client abort was reported.
     *
     * @return {@code true} once the one line and count of this request were produced
     */
    public boolean aborted() {
        return reported;
    }

    // ---- what the wrappers saw --------------------------------------------------------------

    /** A write of {@code length} body bytes failed. */
    void writeFailed(IOException e, int length) {
        if (StreamFailureRules.writeFailure(moment(), length)) {
            abortSeen(AbortKind.RESPONSE_WRITE, e);
        }
    }

    /** A flush (or another response operation) failed. */
    void responseFailed(IOException e) {
        if (StreamFailureRules.responseFailure(moment())) {
            abortSeen(AbortKind.RESPONSE_WRITE, e);
        }
    }

    /** Closing the body failed. */
    void closeFailed(IOException e) {
        if (StreamFailureRules.closeFailure(moment())) {
            abortSeen(AbortKind.RESPONSE_WRITE, e);
        }
    }

    /** Sending a complete body failed, or the container swallowed the failure of doing so: the client's doing. */
    void completeBodyFailed(IOException e) {
        abortSeen(AbortKind.RESPONSE_WRITE, e);
    }

    /** A read of the request body failed. */
    void readFailed(IOException e) {
        if (StreamFailureRules.readFailure(moment())) {
            abortSeen(AbortKind.REQUEST_READ, e);
        }
    }

    /**
     * The container reported a failure of the asynchronous exchange ({@code AsyncListener.onError}).
     * Not every one is an abort: containers also pass on what the application's own async task or
     * non-blocking listener threw. Only what our wrappers saw fail, or what the classifier
     * recognises as the container's own disconnect report, is the client's doing.
     */
    void asyncFailed(Throwable t) {
        IdentityMemory escaped = escapedRealErrors;
        if (t == null || (escaped != null && escaped.holdsAnyOf(t))) {
            return; // a real error of a dispatched servlet: it was already left to propagate
        }
        if (isRecordedAbort(t) || reporter.classifier().isClientAbort(t)) {
            abortSeen(AbortKind.CONNECTION_LOST, t);
        }
    }

    /** {@code t} left the filter chain and is not an abort: it propagates, and stays a real error. */
    void escapedAsRealError(Throwable t) {
        created(ESCAPED, 1).remember(t);
    }

    /**
     * Whether {@code t} is a failure this request's wrappers saw, or carries one on through
     * wrapper types only (a framework's {@code ServletException}). An application's own exception
     * that wraps the abort — {@code new IllegalStateException("payment failed", abort)} — is a new
     * failure: not this.
     */
    boolean isRecordedAbort(Throwable t) {
        return isRecordedAbort(t, reporter.carriers());
    }

    /** {@link #isRecordedAbort(Throwable)} with another classifier's carriers (a handler's). */
    boolean isRecordedAbort(Throwable t, Predicate<Throwable> carriers) {
        IdentityMemory seen = failures;
        return seen != null && seen.reachedThrough(t, carriers);
    }

    /**
     * {@code via}'s classifier recognised {@code t}, which escaped the chain or was handed to its
     * handler, as an abort: reported through {@code via} unless the request's abort was already.
     */
    void classifiedAbort(Throwable t, AbortReporter via) {
        abortSeen(AbortKind.CLASSIFIED, t, via);
    }

    /** The memory behind {@code handle}, created by the first thread that needs it (the others use that one). */
    private IdentityMemory created(VarHandle handle, int slots) {
        IdentityMemory memory = (IdentityMemory) handle.getVolatile(this);
        if (memory == null) {
            IdentityMemory fresh = new IdentityMemory(slots, slots);
            memory = (IdentityMemory) handle.compareAndExchange(this, null, fresh);
            if (memory == null) {
                memory = fresh;
            }
        }
        return memory;
    }

    private void abortSeen(AbortKind kind, Throwable failure) {
        abortSeen(kind, failure, reporter);
    }

    /**
     * Remembers {@code failure} as this request's abort and, if nothing was reported for the
     * request yet, reports it through {@code via}: the filter's reporter for what its wrappers saw,
     * the handler's for a throwable handed to a handler.
     */
    private void abortSeen(AbortKind kind, Throwable failure, AbortReporter via) {
        created(FAILURES, 8).remember(failure);
        RecordedAbortTable.ABORTS.remember(failure);
        if (REPORTED.compareAndSet(this, false, true)) {
            via.report(event(kind, failure, via.settings()));
        }
    }

    /**
     * The event of this request's abort. Reads a request that another thread may be finishing
     * (the container may already be recycling the request of a completed async exchange), so
     * whatever it cannot read stays unknown.
     */
    private ClientAbortEvent event(AbortKind kind, Throwable failure, AbortReporter.Settings settings) {
        long now = System.nanoTime();
        String route = null;
        String requestId = null;
        String idempotencyKey = null;
        int status = -1;
        try {
            route = route(settings.routeAttributes());
            requestId = firstHeader(settings.requestIdHeaders());
            String keyHeader = settings.idempotencyKeyHeader();
            idempotencyKey = keyHeader == null ? null : request.getHeader(keyHeader);
            status = response.getStatus();
        } catch (RuntimeException recycled) {
            // the container may already be recycling the request of a completed async exchange
        }
        return settings.events().create(kind, method, path, route, status, body.bytesWritten(),
                now - startNanos, now - body.lastIoNanos(), requestId, idempotencyKey, failure);
    }

    private String route(List<String> routeAttributes) {
        for (String attribute : routeAttributes) {
            Object value = request.getAttribute(attribute);
            if (value != null) {
                return value.toString();
            }
        }
        HttpServletMapping mapping = request.getHttpServletMapping();
        if (mapping == null || mapping.getMappingMatch() == null || mapping.getMappingMatch() == MappingMatch.DEFAULT) {
            return null;
        }
        String pattern = mapping.getPattern();
        return pattern == null || pattern.isEmpty() ? null : pattern;
    }

    private String firstHeader(List<String> headers) {
        for (String header : headers) {
            String value = request.getHeader(header);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private StreamFailureRules.Moment moment() {
        return new StreamFailureRules.Moment(outputClosedByApplication, completed, reported,
                body.bytesWritten(), body.declaredLength());
    }

}
