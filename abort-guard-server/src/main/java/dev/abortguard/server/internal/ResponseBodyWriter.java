package dev.abortguard.server.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.Charset;

/**
 * Encodes the characters the application prints into {@link TrackingOutputStream}, so writer-based
 * responses (JSPs, template engines, {@code getWriter().print}) get the same abort detection as
 * stream-based ones. The container's own writer cannot be used for that: it is a {@code
 * PrintWriter} and swallows the very {@code IOException} that reveals the abort.
 *
 * <p>It keeps no characters of its own: every write is encoded straight into the container's
 * buffer (without a socket flush), so the container sees the body exactly when it would with its
 * own writer — for {@code isCommitted()}, {@code Content-Length}, HEAD, {@code sendRedirect},
 * {@code AsyncContext.complete()}. Only an unpaired high surrogate can wait for its partner;
 * {@link #discard()} drops it when the application resets the buffer.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class ResponseBodyWriter extends Writer {

    private final TrackingOutputStream out;
    private final Charset charset;
    private OutputStreamWriter encoder;

    ResponseBodyWriter(TrackingOutputStream out, Charset charset) {
        this.out = out;
        this.charset = charset;
        this.encoder = newEncoder();
    }

    private OutputStreamWriter newEncoder() {
        return new OutputStreamWriter(new NonFlushingStream(out), charset);
    }

    @Override
    public void write(int c) throws IOException {
        encoder.write(c);
        encoder.flush();
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        encoder.write(cbuf, off, len);
        encoder.flush();
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
        encoder.write(str, off, len);
        encoder.flush();
    }

    @Override
    public void flush() throws IOException {
        encoder.flush();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        encoder.flush();
        out.close();
    }

    void discard() {
        encoder = newEncoder();
    }

    /** Lets the encoder push bytes into the container's buffer without forcing them onto the wire. */
    private static final class NonFlushingStream extends OutputStream {
        private final OutputStream out;

        NonFlushingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() {
            // the owner decides when bytes go to the socket
        }

        @Override
        public void close() {
            // closing is the owner's decision too
        }
    }
}
