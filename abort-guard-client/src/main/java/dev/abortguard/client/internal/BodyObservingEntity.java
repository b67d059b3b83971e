package dev.abortguard.client.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * Wraps a response entity so that an I/O failure while its body is read is recorded in a {@link
 * ReadFailureSink}: the attempt's {@link ExchangeProgress}, or the {@link TrackedConnection} it is
 * read from. That is how the policy tells "the response handler failed
 * because the body stalled" (recoverable: {@link FailurePhase#RESPONSE_BODY_LOST}) from "the
 * handler rejected the response" (the caller's business: {@link FailurePhase#RESPONSE_RECEIVED}),
 * whatever exception the handler wraps it in.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class BodyObservingEntity extends HttpEntityWrapper {

    private final ReadFailureSink sink;

    public BodyObservingEntity(HttpEntity delegate, ReadFailureSink sink) {
        super(delegate);
        this.sink = sink;
    }

    @Override
    public InputStream getContent() throws IOException {
        try {
            return new ObservedStream(super.getContent());
        } catch (IOException e) {
            sink.readFailed(e);
            throw e;
        }
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        try (InputStream in = getContent()) {
            in.transferTo(out);
        }
    }

    private final class ObservedStream extends FilterInputStream {

        ObservedStream(InputStream in) {
            super(in);
        }

        private int ended(int read) {
            if (read < 0) {
                sink.bodyEnded();
            }
            return read;
        }

        @Override
        public int read() throws IOException {
            try {
                return ended(super.read());
            } catch (IOException e) {
                sink.readFailed(e);
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return len == 0 ? 0 : ended(super.read(b, off, len));
            } catch (IOException e) {
                sink.readFailed(e);
                throw e;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                sink.readFailed(e);
                throw e;
            }
        }

        @Override
        public int available() throws IOException {
            try {
                return super.available();
            } catch (IOException e) {
                sink.readFailed(e);
                throw e;
            }
        }
    }
}
