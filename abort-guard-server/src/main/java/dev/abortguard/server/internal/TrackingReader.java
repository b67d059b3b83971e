package dev.abortguard.server.internal;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * The request body reader. It must be a {@link BufferedReader} (that is what {@code getReader()}
 * returns), so it extends one and overrides every read path to go to the container's reader; the
 * superclass's own buffer is never used.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class TrackingReader extends BufferedReader {

    private final BufferedReader delegate;
    private final Exchange exchange;

    TrackingReader(BufferedReader delegate, Exchange exchange) {
        super(delegate, 1);
        this.delegate = delegate;
        this.exchange = exchange;
    }

    @Override
    public int read() throws IOException {
        try {
            int c = delegate.read();
            exchange.body().ioSucceeded();
            return c;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        try {
            int n = delegate.read(cbuf, off, len);
            exchange.body().ioSucceeded();
            return n;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public String readLine() throws IOException {
        try {
            String line = delegate.readLine();
            exchange.body().ioSucceeded();
            return line;
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
    public boolean ready() throws IOException {
        try {
            return delegate.ready();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public boolean markSupported() {
        return delegate.markSupported();
    }

    @Override
    public void mark(int readAheadLimit) throws IOException {
        delegate.mark(readAheadLimit);
    }

    @Override
    public void reset() throws IOException {
        delegate.reset();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    private IOException failed(IOException e) {
        exchange.readFailed(e);
        return e;
    }
}
