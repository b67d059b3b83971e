package dev.abortguard.server.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * The container's {@link AsyncContext}, except that {@link #getRequest()} and {@link
 * #getResponse()} return the request and response the application started with (the tracked
 * ones for the no-argument {@code startAsync()}), and that ending an aborted exchange from an
 * application thread cannot fail. Everything else — dispatch targets, {@code
 * hasOriginalRequestAndResponse()}, timeouts, listeners — is the container's.
 *
 * <p>Why the second: after a client abort, Tomcat calls {@code AsyncListener.onError} on a
 * container thread and from then on refuses {@code dispatch()} and {@code complete()} from any
 * other thread ({@code IllegalStateException: A non-container (application) thread attempted to use
 * the AsyncContext after an error...}). An executor's catch block that calls Spring's {@code
 * emitter.completeWithError(e)} races that listener and loses whenever the failing write took a
 * little longer. Once the filter has reported the abort, the container is ending the exchange
 * itself, so such a refusal is dropped; before that, or for any other exchange, it propagates.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class TrackedAsyncContext implements AsyncContext {

    private final AsyncContext delegate;
    private final ServletRequest request;
    private final ServletResponse response;
    private final Exchange exchange;

    TrackedAsyncContext(AsyncContext delegate, ServletRequest request, ServletResponse response, Exchange exchange) {
        this.delegate = delegate;
        this.request = request;
        this.response = response;
        this.exchange = exchange;
    }

    /** The container refused to end an exchange whose abort was reported: it ends it itself. */
    private void refusedAfterAbort(IllegalStateException refused) {
        if (!exchange.aborted()) {
            throw refused;
        }
    }

    @Override
    public ServletRequest getRequest() {
        delegate.getRequest(); // the container's checks (e.g. "already completed") still apply
        return request;
    }

    @Override
    public ServletResponse getResponse() {
        delegate.getResponse();
        return response;
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return delegate.hasOriginalRequestAndResponse();
    }

    @Override
    public void dispatch() {
        try {
            delegate.dispatch();
        } catch (IllegalStateException refused) {
            refusedAfterAbort(refused);
        }
    }

    @Override
    public void dispatch(String path) {
        try {
            delegate.dispatch(path);
        } catch (IllegalStateException refused) {
            refusedAfterAbort(refused);
        }
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        try {
            delegate.dispatch(context, path);
        } catch (IllegalStateException refused) {
            refusedAfterAbort(refused);
        }
    }

    @Override
    public void complete() {
        try {
            delegate.complete();
        } catch (IllegalStateException refused) {
            refusedAfterAbort(refused);
        }
    }

    @Override
    public void start(Runnable run) {
        delegate.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
        delegate.addListener(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest servletRequest, ServletResponse servletResponse) {
        delegate.addListener(listener, servletRequest, servletResponse);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> clazz) throws ServletException {
        return delegate.createListener(clazz);
    }

    @Override
    public void setTimeout(long timeout) {
        delegate.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
        return delegate.getTimeout();
    }
}
