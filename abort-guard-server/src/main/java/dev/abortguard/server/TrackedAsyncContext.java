package dev.abortguard.server;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * The container's {@link AsyncContext}, except that {@link #getRequest()} and {@link
 * #getResponse()} return the tracked request and response. Everything else — dispatch targets,
 * {@code hasOriginalRequestAndResponse()}, timeouts, listeners — is the container's.
 */
final class TrackedAsyncContext implements AsyncContext {

    private final AsyncContext delegate;
    private final ServletRequest request;
    private final ServletResponse response;

    TrackedAsyncContext(AsyncContext delegate, ServletRequest request, ServletResponse response) {
        this.delegate = delegate;
        this.request = request;
        this.response = response;
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
        delegate.dispatch();
    }

    @Override
    public void dispatch(String path) {
        delegate.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        delegate.dispatch(context, path);
    }

    @Override
    public void complete() {
        delegate.complete();
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
