package dev.abortguard.server;

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
 */
final class TrackingRequest extends HttpServletRequestWrapper {

    private final TrackingResponse response;
    private final ExchangeState state;
    private final AbortReporter reporter;
    private TrackingInputStream stream;
    private TrackingReader reader;

    TrackingRequest(HttpServletRequest request, TrackingResponse response, ExchangeState state, AbortReporter reporter) {
        super(request);
        this.response = response;
        this.state = state;
        this.reporter = reporter;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
        if (stream == null) {
            stream = new TrackingInputStream(super.getInputStream(), state, reporter);
        }
        return stream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
        if (reader == null) {
            reader = new TrackingReader(super.getReader(), state, reporter);
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
        return new TrackedAsyncContext(track(super.startAsync()), this, response, state);
    }

    @Override
    public AsyncContext startAsync(ServletRequest servletRequest, ServletResponse servletResponse) {
        return new TrackedAsyncContext(track(super.startAsync(servletRequest, servletResponse)),
                servletRequest, servletResponse, state);
    }

    private AsyncContext track(AsyncContext context) {
        context.addListener(new CompletionListener(state, reporter));
        return context;
    }

    /**
     * Reports an I/O failure that the container noticed on its own during asynchronous processing
     * (Tomcat and Undertow call {@code onError} with it, sometimes before the application's next
     * write), and marks the exchange complete, so that writes after a normal completion are
     * recognised as application bugs, not aborts.
     */
    private static final class CompletionListener implements AsyncListener {
        private final ExchangeState state;
        private final AbortReporter reporter;

        CompletionListener(ExchangeState state, AbortReporter reporter) {
            this.state = state;
            this.reporter = reporter;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            state.markCompleted();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // the container completes or dispatches; onComplete follows
        }

        @Override
        public void onError(AsyncEvent event) {
            Throwable t = event.getThrowable();
            if (t == null || state.isEscapedRealError(t)) {
                return; // a real error of a dispatched servlet: it was already left to propagate
            }
            // Not every IOException: containers also pass on what the application's own async task or
            // non-blocking listener threw. Only what our wrappers saw fail, or what the classifier
            // recognises as the container's own disconnect report, is the client's doing.
            if (reporter.isRecordedAbort(state, t) || reporter.classifier.isClientAbort(t)) {
                reporter.streamFailed(state, AbortKind.CONNECTION_LOST, t);
            }
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // listeners are cleared when the application restarts async processing
            event.getAsyncContext().addListener(this);
        }
    }
}
