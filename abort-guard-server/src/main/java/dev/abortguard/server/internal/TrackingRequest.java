package dev.abortguard.server.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * The request the application sees: its body goes through the filter, and the {@link AsyncContext}
 * of {@link #startAsync()} hands out the <em>tracked</em> response, so that a response written
 * later on an executor thread (the seed's streaming endpoint, SSE) is still watched. Without that,
 * the no-argument {@code startAsync()} of a container gives the application its unwrapped response.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class TrackingRequest extends HttpServletRequestWrapper {

    private final TrackingResponse response;
    private final Exchange exchange;
    private TrackingInputStream stream;
    private TrackingReader reader;

    /**
     * Wraps the container's request of {@code response}'s exchange.
     *
     * @param request the request to wrap
     * @param response the tracked response of the same exchange
     */
    public TrackingRequest(HttpServletRequest request, TrackingResponse response) {
        super(request);
        this.response = response;
        this.exchange = response.exchange();
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
        if (stream == null) {
            stream = new TrackingInputStream(super.getInputStream(), exchange);
        }
        return stream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
        if (reader == null) {
            reader = new TrackingReader(super.getReader(), exchange);
        }
        return reader;
    }

    /**
     * Keeps the container's own no-argument semantics ({@code hasOriginalRequestAndResponse()},
     * the URI a plain {@code dispatch()} goes to) and only changes what the application gets back
     * from {@code getRequest()}/{@code getResponse()}: the tracked objects, so that a response
     * written later on an executor thread (the seed's streaming endpoint, SSE) is still watched.
     */
    @Override
    public AsyncContext startAsync() {
        return new TrackedAsyncContext(track(super.startAsync()), this, response, exchange);
    }

    @Override
    public AsyncContext startAsync(ServletRequest servletRequest, ServletResponse servletResponse) {
        return new TrackedAsyncContext(track(super.startAsync(servletRequest, servletResponse)),
                servletRequest, servletResponse, exchange);
    }

    private AsyncContext track(AsyncContext context) {
        context.addListener(new CompletionListener(exchange));
        return context;
    }

    /**
     * Reports an I/O failure that the container noticed on its own during asynchronous processing
     * (Tomcat and Undertow call {@code onError} with it, sometimes before the application's next
     * write), and marks the exchange complete, so that writes after a normal completion are
     * recognised as application bugs, not aborts.
     */
    private static final class CompletionListener implements AsyncListener {
        private final Exchange exchange;

        CompletionListener(Exchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            exchange.markCompleted();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // the container completes or dispatches; onComplete follows
        }

        @Override
        public void onError(AsyncEvent event) {
            exchange.asyncFailed(event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // listeners are cleared when the application restarts async processing
            event.getAsyncContext().addListener(this);
        }
    }
}
