package dev.abortguard.server;

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
 * <p>Two operations exist for the filter: {@link #drain()} moves pending characters into the
 * container's buffer without a socket write (so the filter can still set {@code Content-Length}),
 * and {@link #discard()} drops them when the application resets the response buffer.
 */
final class ResponseBodyWriter extends Writer {

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
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        encoder.write(cbuf, off, len);
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
        encoder.write(str, off, len);
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

    void drain() throws IOException {
        encoder.flush();
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
