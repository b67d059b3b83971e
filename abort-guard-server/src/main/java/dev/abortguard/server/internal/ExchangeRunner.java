package dev.abortguard.server.internal;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * What {@code ClientAbortFilter} does per request: wrap request and response around one {@link
 * Exchange}, run the chain, decide about what escapes it, and complete the body on chain return
 * ({@link BodyCompletion}). The filter itself only holds the settings.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class ExchangeRunner implements AutoCloseable {

    private final AbortReporter reporter;
    private final boolean flushOnChainReturn;

    /**
     * A runner.
     *
     * @param reporter the filter's reporter
     * @param flushOnChainReturn whether to complete the response body when the chain returns
     */
    public ExchangeRunner(AbortReporter reporter, boolean flushOnChainReturn) {
        this.reporter = reporter;
        this.flushOnChainReturn = flushOnChainReturn;
    }

    /**
     * The filter's reporter.
     *
     * @return the reporter
     */
    public AbortReporter reporter() {
        return reporter;
    }

    /**
     * Runs {@code chain} for one request, watched.
     *
     * @param request the request handed to the filter
     * @param response the response handed to the filter
     * @param chain the rest of the chain
     * @throws IOException what the chain threw, unless it is a client abort
     * @throws ServletException what the chain threw
     */
    public void run(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Exchange existing = Exchange.of(request);
        if (existing != null) {
            // a forward, include, error or async dispatch of a request we already wrap
            if (request.getDispatcherType() != DispatcherType.ASYNC) {
                run(existing, request, response, chain, null);
                return;
            }
            TrackingResponse tracked = unwrap(response);
            if (tracked != null) {
                run(existing, request, response, chain, tracked);
                return;
            }
            // AsyncContext.dispatch() after a no-argument startAsync() hands the container's own
            // request and response to the chain: watch them again, for the same exchange
            TrackingResponse again = new TrackingResponse(response, existing);
            run(existing, new TrackingRequest(request, again), again, chain, again);
            return;
        }
        Exchange exchange = Exchange.begin(request, response, reporter);
        TrackingResponse trackingResponse = new TrackingResponse(response, exchange);
        run(exchange, new TrackingRequest(request, trackingResponse), trackingResponse, chain, trackingResponse);
    }

    private static TrackingResponse unwrap(ServletResponse response) {
        ServletResponse current = response;
        while (current instanceof ServletResponseWrapper) {
            if (current instanceof TrackingResponse) {
                return (TrackingResponse) current;
            }
            current = ((ServletResponseWrapper) current).getResponse();
        }
        return null;
    }

    private void run(Exchange exchange, ServletRequest request, ServletResponse response, FilterChain chain,
                     TrackingResponse completing) throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        } catch (Throwable t) {
            if (EscapedThrowables.isAbort(reporter, exchange, t)) {
                answerAbortedRequest(response);
                return;
            }
            exchange.escapedAsRealError(t);
            throw t;
        }
        if (completing != null && !request.isAsyncStarted()) {
            try {
                if (flushOnChainReturn) {
                    BodyCompletion.complete(exchange, completing);
                }
            } finally {
                exchange.markCompleted();
            }
        }
    }

    /**
     * Nothing can reach a client that is gone; but a request-body read can also fail for a client
     * that is still connected (it stalled past the server's read timeout), and it must not receive
     * a 200 with an empty body. Containers answer such failures with 400 themselves.
     */
    private static void answerAbortedRequest(ServletResponse response) {
        if (!response.isCommitted() && response instanceof HttpServletResponse) {
            try {
                response.resetBuffer();
                ((HttpServletResponse) response).setStatus(HttpServletResponse.SC_BAD_REQUEST);
            } catch (RuntimeException ignored) {
                // the container may have closed the response already
            }
        }
    }

    @Override
    public void close() {
        reporter.close();
    }
}
