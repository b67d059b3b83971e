package dev.abortguard.idempotency.servlet.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * Holds a handler's body in memory until the handler is done, so that the filter stores the
 * response before any byte of it goes to the client.
 *
 * <p>That order is the point: the handler writes to memory, so a client that gave up can never
 * interrupt it half-way, and its outcome is stored whole although nobody receives it. A status check
 * that follows a timeout then finds the outcome. Headers and status go to the container's response
 * as the handler sets them (it may read them back); only the body waits.
 *
 * <p>Three modes. <b>Buffer</b>, the normal one. <b>Pass</b>, once the body outgrows the limit: what
 * was held is written out and the rest goes straight through; nothing is stored but a substitute.
 * <b>Tee</b>, for a request that went async: the body goes to the client as written and a copy is
 * kept for the store, because an async handler finishes after the filter returned; a write that
 * fails there marks the copy incomplete.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class BufferedResponse extends HttpServletResponseWrapper {

    private enum Mode { BUFFER, PASS, TEE }

    private final int limit;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(256);
    private Mode mode = Mode.BUFFER;
    private boolean errorSent;
    private boolean deliveryFailed;
    private HoldingStream stream;
    private PrintWriter writer;

    /**
     * Wraps.
     *
     * @param response the container's response
     * @param limit the most body bytes held
     */
    public BufferedResponse(HttpServletResponse response, int limit) {
        super(response);
        this.limit = limit;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        if (stream == null) {
            stream = new HoldingStream();
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            if (stream != null) {
                throw new IllegalStateException("getOutputStream() has already been called for this response");
            }
            stream = new HoldingStream();
            writer = new PrintWriter(new OutputStreamWriter(stream, charset()), false);
        }
        return writer;
    }

    private Charset charset() {
        return ServletCharsets.orDefault(getCharacterEncoding());
    }

    @Override
    public void flushBuffer() throws IOException {
        // a flush would commit the response before its outcome is stored: held until the end
        if (writer != null) {
            writer.flush();
        }
        if (mode != Mode.BUFFER) {
            super.flushBuffer();
        }
    }

    @Override
    public boolean isCommitted() {
        return mode == Mode.PASS || errorSent || super.isCommitted();
    }

    @Override
    public void resetBuffer() {
        if (mode == Mode.BUFFER) {
            body.reset();
        }
        super.resetBuffer();
    }

    @Override
    public void reset() {
        if (mode == Mode.BUFFER) {
            body.reset();
        }
        super.reset();
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        errorSent = true;
        body.reset();
        super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        errorSent = true;
        body.reset();
        super.sendError(sc);
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        errorSent = true;
        body.reset();
        super.sendRedirect(location, sc, clearBuffer);
    }

    @Override
    public void setBufferSize(int size) {
        // the container's buffer is not where the body waits; asking for one is harmless
        if (!super.isCommitted()) {
            super.setBufferSize(size);
        }
    }

    /**
     * From now on the body goes to the client as written and a copy is kept: the request went async.
     *
     * @throws IOException when writing out what was held fails
     */
    public void startTee() throws IOException {
        if (mode != Mode.BUFFER) {
            return;
        }
        drainWriter();
        mode = Mode.TEE;
        byte[] held = body.toByteArray();
        if (held.length > 0 && !errorSent) {
            writeThrough(held, 0, held.length);
        }
    }

    /**
     * The handler is done: flushes its writer into the held body.
     */
    public void drainWriter() {
        if (writer != null) {
            writer.flush();
        }
    }

    /**
     * Whether what this wrapper holds is the whole body the handler produced, fit for storing.
     *
     * @return false when the body outgrew the limit or, when async, a write to the client failed
     */
    public boolean complete() {
        return mode != Mode.PASS && !deliveryFailed;
    }

    /** @return whether the body outgrew the limit (nothing but a substitute can be stored) */
    public boolean overflowed() {
        return mode == Mode.PASS;
    }

    /** @return whether the handler called sendError or sendRedirect (the container writes that body) */
    public boolean errorSent() {
        return errorSent;
    }

    /** @return whether the body is still held (not a byte of it sent) */
    public boolean holding() {
        return mode == Mode.BUFFER;
    }

    /** @return a copy of the body held or kept */
    public byte[] body() {
        return body.toByteArray();
    }

    /**
     * Writes the held body to the container's response, without a copy.
     *
     * @throws IOException when the write fails (the client is gone)
     */
    public void deliverHeld() throws IOException {
        getResponse().setContentLength(body.size());
        if (body.size() > 0) {
            body.writeTo(getResponse().getOutputStream());
        }
    }

    /** @return how many bytes the body had when it outgrew the limit, or its length */
    public int bodyLength() {
        return body.size();
    }

    private void writeThrough(byte[] b, int off, int len) throws IOException {
        try {
            getResponse().getOutputStream().write(b, off, len);
        } catch (IOException | RuntimeException e) {
            deliveryFailed = true;
            throw e;
        }
    }

    private void hold(byte[] b, int off, int len) throws IOException {
        switch (mode) {
            case BUFFER -> {
                if (body.size() + len <= limit) {
                    body.write(b, off, len);
                    return;
                }
                // outgrown: what was held goes out first, then this and everything after it
                mode = Mode.PASS;
                if (!errorSent) {
                    byte[] held = body.toByteArray();
                    writeThrough(held, 0, held.length);
                    writeThrough(b, off, len);
                }
            }
            case PASS -> writeThrough(b, off, len);
            case TEE -> {
                writeThrough(b, off, len);
                if (body.size() + len <= limit) {
                    body.write(b, off, len);
                } else {
                    mode = Mode.PASS;
                }
            }
        }
    }

    private final class HoldingStream extends ServletOutputStream {
        private final byte[] one = new byte[1];

        @Override
        public void write(int b) throws IOException {
            one[0] = (byte) b;
            hold(one, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len > 0) {
                hold(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (mode != Mode.BUFFER) {
                getResponse().getOutputStream().flush();
            }
        }

        @Override
        public boolean isReady() {
            return mode == Mode.BUFFER || safeIsReady();
        }

        private boolean safeIsReady() {
            try {
                return getResponse().getOutputStream().isReady();
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            // non-blocking writes run on the container's schedule, after the filter returned: the body
            // cannot be held back, so it streams and only a substitute is stored
            try {
                if (mode == Mode.BUFFER) {
                    mode = Mode.PASS;
                    byte[] held = body.toByteArray();
                    if (held.length > 0) {
                        writeThrough(held, 0, held.length);
                    }
                }
                getResponse().getOutputStream().setWriteListener(listener);
            } catch (IOException e) {
                throw new IllegalStateException("could not start non-blocking writes", e);
            }
        }
    }
}
