package dev.abortguard.server.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;

/**
 * The response body stream the application writes to. Every write, flush and close goes to the
 * container's stream; an {@code IOException} from there means the client's socket is gone (or
 * stopped reading), whatever the exception's class or language — that is the whole point of
 * detecting aborts by <em>where</em> they happen. The exception is reported and rethrown
 * unchanged, so the application sees exactly what it would see without the filter.
 *
 * <p>Two failures are deliberately not reported: a write after the application closed the stream
 * and a write after the request completed normally. Both are application bugs that containers
 * report with the same exception types (Jetty's {@code EofException("Closed")}). A write after the
 * container ended the exchange <em>because</em> the connection failed is the same abort again. A
 * write past the {@code Content-Length} the application declared is its own bug too: the container
 * closed the stream when the declared length was reached.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class TrackingOutputStream extends ServletOutputStream {

    private static final byte[] EMPTY = new byte[0];

    private final ServletOutputStream delegate;
    private final Exchange exchange;
    private final BodyAccounting body;
    private final boolean flushMaySwallowFailures;
    private final boolean completionMaySwallowFailures;

    TrackingOutputStream(ServletOutputStream delegate, Exchange exchange) {
        this.delegate = delegate;
        this.exchange = exchange;
        this.body = exchange.body();
        this.flushMaySwallowFailures = delegate.getClass().getName().startsWith("io.undertow.");
        this.completionMaySwallowFailures = delegate.getClass().getName().startsWith("org.apache.catalina.");
    }

    @Override
    public void write(int b) throws IOException {
        boolean completes = completionMaySwallowFailures && body.writeCompletesDeclaredLength(1);
        Object errorBefore = completes ? errorAttribute() : null;
        try {
            delegate.write(b);
        } catch (IOException e) {
            exchange.writeFailed(e, 1);
            throw e;
        }
        body.wrote(1);
        if (completes) {
            detectSwallowedCompletion(errorBefore);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        boolean completes = completionMaySwallowFailures && body.writeCompletesDeclaredLength(len);
        Object errorBefore = completes ? errorAttribute() : null;
        try {
            delegate.write(b, off, len);
        } catch (IOException e) {
            exchange.writeFailed(e, len);
            throw e;
        }
        body.wrote(len);
        if (completes) {
            detectSwallowedCompletion(errorBefore);
        }
    }

    /**
     * Tomcat sends a body of a declared {@code Content-Length} from inside the write that
     * completes it, and swallows that send's failure: it logs it at DEBUG, records it as the
     * request's {@code jakarta.servlet.error.exception} attribute and returns normally (Spring's
     * message converters always declare the length, so every small JSON answer ends this way). A
     * new {@code IOException} in that attribute after this very write is its failure. Not rethrown:
     * without the filter the application would not see it either.
     */
    private void detectSwallowedCompletion(Object errorBefore) {
        Object errorAfter = errorAttribute();
        if (errorAfter instanceof IOException && errorAfter != errorBefore) {
            exchange.completeBodyFailed((IOException) errorAfter);
        }
    }

    private Object errorAttribute() {
        try {
            return exchange.request().getAttribute(jakarta.servlet.RequestDispatcher.ERROR_EXCEPTION);
        } catch (RuntimeException recycled) {
            return null;
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            delegate.flush();
        } catch (IOException e) {
            exchange.responseFailed(e);
            throw e;
        }
        if (flushMaySwallowFailures) {
            detectSwallowedFailure();
        }
        if (!exchange.aborted()) {
            body.flushed();
        }
    }

    /**
     * Undertow's {@code flush()} swallows the {@code IOException} of a synchronous request: it
     * closes the connection, logs at DEBUG and returns normally. Its stream is then closed, and a
     * zero-length write — which Undertow checks for a closed stream before doing anything else, and
     * otherwise ignores — reveals it. Not rethrown: without the filter the application would not see
     * it either.
     */
    private void detectSwallowedFailure() {
        if (exchange.outputClosedByApplication() || exchange.completed() || exchange.aborted()
                || body.declaredLengthReached() || exchange.bodyTakenOver()) {
            // Undertow also closes a stream whose declared Content-Length was fully written, and treats
            // one as closed after sendError/sendRedirect: its flush() then returns without writing
            return;
        }
        try {
            delegate.write(EMPTY, 0, 0);
        } catch (IOException e) {
            exchange.responseFailed(e);
        }
    }

    /**
     * Sends a complete body of the declared length that is still in the container's buffer: the
     * write the container makes right after the chain returns. A failure is the client's doing
     * (nothing is written past the length), though a write after the length was reached would not be.
     */
    void flushCompleteBody() throws IOException {
        try {
            delegate.flush();
        } catch (IOException e) {
            exchange.completeBodyFailed(e);
            throw e;
        }
    }

    /**
     * Completes the body on behalf of the container: the same {@code close()} the container calls
     * right after the filter chain returns (it sets {@code Content-Length} for a body that is still
     * buffered), performed while the filter can still see it fail.
     */
    void completeBody() throws IOException {
        try {
            delegate.close();
        } catch (IOException e) {
            exchange.closeFailed(e);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        boolean alreadyClosed = exchange.outputClosedByApplication();
        try {
            delegate.close();
        } catch (IOException e) {
            if (!alreadyClosed) {
                exchange.closeFailed(e);
            }
            throw e;
        } finally {
            exchange.markOutputClosedByApplication();
        }
    }

    @Override
    public boolean isReady() {
        return delegate.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
        delegate.setWriteListener(new TrackingWriteListener(listener));
    }

    /**
     * Non-blocking writes report failures through {@code onError}, not by throwing. Containers also
     * hand {@code onError} what the application's own {@code onWritePossible} threw (a file that
     * could not be read, say): that one is remembered and never taken for an abort.
     */
    private final class TrackingWriteListener implements WriteListener {
        private final WriteListener listener;
        /** What the application's own callback threw: never taken for an abort. */
        private final IdentityMemory applicationFailures = new IdentityMemory(1, 1);

        TrackingWriteListener(WriteListener listener) {
            this.listener = listener;
        }

        @Override
        public void onWritePossible() throws IOException {
            try {
                listener.onWritePossible();
            } catch (Throwable t) {
                applicationFailures.remember(t);
                throw t;
            }
        }

        @Override
        public void onError(Throwable t) {
            if (t instanceof IOException && !applicationFailures.holdsAnyOf(t)) {
                exchange.responseFailed((IOException) t);
            }
            listener.onError(t);
        }
    }
}
