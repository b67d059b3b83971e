package dev.abortguard.benchmarks;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;

/**
 * A reusable response with an 8 KiB "container buffer" in front of a sink that only counts bytes:
 * commits when the buffer overflows or is flushed, as a container does. No container.
 */
final class FakeResponse extends StubResponse {
    private static final int BUFFER_SIZE = 8192;

    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int buffered;
    long sunk;
    private boolean committed;
    private int status;
    private String contentType;
    private long contentLength;
    private final ServletOutputStream out = new ServletOutputStream() {
        @Override public boolean isReady() { return true; }
        @Override public void setWriteListener(WriteListener listener) { }
        @Override public void write(int b) throws IOException {
            if (buffered == BUFFER_SIZE) {
                drain();
            }
            buffer[buffered++] = (byte) b;
        }
        @Override public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (buffered == BUFFER_SIZE) {
                    drain();
                }
                int n = Math.min(len, BUFFER_SIZE - buffered);
                System.arraycopy(b, off, buffer, buffered, n);
                buffered += n;
                off += n;
                len -= n;
            }
        }
        @Override public void flush() { drain(); }
        @Override public void close() { drain(); }
    };

    void recycle() {
        buffered = 0;
        sunk = 0;
        committed = false;
        status = 200;
        contentType = null;
        contentLength = -1;
    }

    private void drain() {
        committed = true;
        sunk += buffered;
        buffered = 0;
    }

    @Override public void reset() {
        if (committed) {
            throw new IllegalStateException("committed");
        }
        buffered = 0;
        status = 200;
        contentType = null;
        contentLength = -1;
    }
    @Override public ServletOutputStream getOutputStream() { return out; }
    @Override public void flushBuffer() { drain(); }
    @Override public boolean isCommitted() { return committed; }
    @Override public int getBufferSize() { return BUFFER_SIZE; }
    @Override public void resetBuffer() { buffered = 0; }
    @Override public int getStatus() { return status; }
    @Override public void setStatus(int sc) { if (!committed) { status = sc; } }
    @Override public void setContentType(String type) { if (!committed) { contentType = type; } }
    @Override public String getContentType() { return contentType; }
    @Override public String getCharacterEncoding() { return "UTF-8"; }
    @Override public void setContentLength(int len) { setContentLengthLong(len); }
    @Override public void setContentLengthLong(long len) { if (!committed) { contentLength = len; } }
    @Override public boolean containsHeader(String name) {
        return "Content-Length".equalsIgnoreCase(name) ? contentLength >= 0
                : "Content-Type".equalsIgnoreCase(name) && contentType != null;
    }
    @Override public String getHeader(String name) {
        if ("Content-Length".equalsIgnoreCase(name)) {
            return contentLength >= 0 ? Long.toString(contentLength) : null;
        }
        return "Content-Type".equalsIgnoreCase(name) ? contentType : null;
    }
}
