package dev.abortguard.client.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * A request entity whose writes reach the connection in pieces of at most {@link
 * EarlyResponseDetector#CHUNK} bytes, so that a body written in one call (a {@code byte[]}, a
 * {@code String}) is still checked for an early response between pieces. Used only for the time of
 * one {@code sendRequestEntity}, and only for bodies longer than one piece.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
final class SlicedEntity extends HttpEntityWrapper {

    SlicedEntity(HttpEntity entity) {
        super(entity);
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        super.writeTo(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, EarlyResponseDetector.CHUNK);
                    out.write(b, off, n);
                    off += n;
                    len -= n;
                }
            }
        });
    }
}
