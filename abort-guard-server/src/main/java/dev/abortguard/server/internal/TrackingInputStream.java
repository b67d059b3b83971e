package dev.abortguard.server.internal;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

import java.io.IOException;

/**
 * The request body stream the application reads. An {@code IOException} from the container's
 * stream means the client stopped sending: it disconnected mid-upload, or stalled past the
 * server's read timeout, or sent a body the container could not decode. All of those are the
 * client's doing, reported as {@link AbortKind#REQUEST_READ} and rethrown unchanged.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class TrackingInputStream extends ServletInputStream {

    private final ServletInputStream delegate;
    private final Exchange exchange;

    TrackingInputStream(ServletInputStream delegate, Exchange exchange) {
        this.delegate = delegate;
        this.exchange = exchange;
    }

    @Override
    public int read() throws IOException {
        try {
            int b = delegate.read();
            exchange.body().ioSucceeded();
            return b;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            int n = delegate.read(b, off, len);
            exchange.body().ioSucceeded();
            return n;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public int readLine(byte[] b, int off, int len) throws IOException {
        try {
            int n = delegate.readLine(b, off, len);
            exchange.body().ioSucceeded();
            return n;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return delegate.skip(n);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public int available() throws IOException {
        try {
            return delegate.available();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public boolean isFinished() {
        return delegate.isFinished();
    }

    @Override
    public boolean isReady() {
        return delegate.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
        delegate.setReadListener(new TrackingReadListener(listener));
    }

    private IOException failed(IOException e) {
        exchange.readFailed(e);
        return e;
    }

    /**
     * Non-blocking reads report failures through {@code onError}, not by throwing. Containers also
     * hand {@code onError} what the application's own {@code onDataAvailable} or {@code
     * onAllDataRead} threw (a parser's {@code IOException}, say): that one is remembered and never
     * taken for an abort.
     */
    private final class TrackingReadListener implements ReadListener {
        private final ReadListener listener;
        /** What the application's own callback threw: never taken for an abort. */
        private final IdentityMemory applicationFailures = new IdentityMemory(1, 1);

        TrackingReadListener(ReadListener listener) {
            this.listener = listener;
        }

        @Override
        public void onDataAvailable() throws IOException {
            try {
                listener.onDataAvailable();
            } catch (Throwable t) {
                applicationFailures.remember(t);
                throw t;
            }
        }

        @Override
        public void onAllDataRead() throws IOException {
            try {
                listener.onAllDataRead();
            } catch (Throwable t) {
                applicationFailures.remember(t);
                throw t;
            }
        }

        @Override
        public void onError(Throwable t) {
            if (t instanceof IOException && !applicationFailures.holdsAnyOf(t)) {
                failed((IOException) t);
            }
            listener.onError(t);
        }
    }
}
