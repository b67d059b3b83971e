package dev.abortguard.server.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;

/**
 * The response the application sees: its body stream and writer go through the filter, everything
 * else is the container's.
 *
 * <p>{@link #getWriter()} is built on the container's output stream (see {@link ResponseBodyWriter}
 * for why). To stay indistinguishable from the container's own writer it fixes the character
 * encoding when the writer is obtained, as the Servlet specification requires, and keeps it fixed
 * against later {@code setContentType}/{@code setCharacterEncoding}/{@code setLocale} calls.
 *
 * <p>Internal, not API: may change without notice.
 */
public final class TrackingResponse extends HttpServletResponseWrapper {

    private final Exchange exchange;
    private TrackingOutputStream stream;
    private boolean streamObtained;
    private PrintWriter writer;
    private ResponseBodyWriter bodyWriter;
    private String writerEncoding;

    /**
     * Wraps the container's response of {@code exchange}.
     *
     * @param response the response to wrap (the container's, or what an async dispatch handed on)
     * @param exchange the request's exchange
     */
    public TrackingResponse(HttpServletResponse response, Exchange exchange) {
        super(response);
        this.exchange = exchange;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        streamObtained = true;
        return trackingStream();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer != null) {
            return writer;
        }
        if (streamObtained) {
            throw new IllegalStateException("getOutputStream() has already been called for this response");
        }
        String encoding = getCharacterEncoding();
        Charset charset = charset(encoding);
        super.setCharacterEncoding(encoding);
        writerEncoding = encoding;
        bodyWriter = new ResponseBodyWriter(trackingStream(), charset);
        writer = new PrintWriter(bodyWriter, false);
        return writer;
    }

    private TrackingOutputStream trackingStream() throws IOException {
        if (stream == null) {
            stream = new TrackingOutputStream(super.getOutputStream(), exchange);
        }
        return stream;
    }

    private static Charset charset(String encoding) throws UnsupportedEncodingException {
        try {
            return Charset.forName(encoding == null ? "ISO-8859-1" : encoding);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            UnsupportedEncodingException uee = new UnsupportedEncodingException(encoding);
            uee.initCause(e);
            throw uee;
        }
    }

    @Override
    public void setContentType(String type) {
        super.setContentType(type);
        keepWriterEncoding();
    }

    @Override
    public void setCharacterEncoding(String charset) {
        if (writerEncoding == null) {
            super.setCharacterEncoding(charset);
        }
    }

    @Override
    public void setLocale(Locale locale) {
        super.setLocale(locale);
        keepWriterEncoding();
    }

    private void keepWriterEncoding() {
        if (writerEncoding != null && !isCommitted()) {
            super.setCharacterEncoding(writerEncoding);
        }
    }

    @Override
    public void setCharacterEncoding(java.nio.charset.Charset charset) {
        // Servlet 6.1; on 6.0 containers nothing calls it
        if (writerEncoding == null) {
            super.setCharacterEncoding(charset);
        }
    }

    @Override
    public void setContentLength(int len) {
        super.setContentLength(len);
        exchange.body().declareLength(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        super.setContentLengthLong(len);
        exchange.body().declareLength(len);
    }

    @Override
    public void setHeader(String name, String value) {
        super.setHeader(name, value);
        declaredLengthHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        super.addHeader(name, value);
        declaredLengthHeader(name, value);
    }

    @Override
    public void setIntHeader(String name, int value) {
        super.setIntHeader(name, value);
        declaredLengthHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        super.addIntHeader(name, value);
        declaredLengthHeader(name, Integer.toString(value));
    }

    private void declaredLengthHeader(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name)) {
            try {
                exchange.body().declareLength(value == null ? -1 : Long.parseLong(value.strip()));
            } catch (NumberFormatException e) {
                exchange.body().declareLength(-1);
            }
        }
    }

    @Override
    public void flushBuffer() throws IOException {
        try {
            super.flushBuffer();
        } catch (IOException e) {
            exchange.responseFailed(e);
            throw e;
        }
        exchange.body().flushed();
    }

    @Override
    public void resetBuffer() {
        super.resetBuffer();
        discardPending();
    }

    @Override
    public void reset() {
        super.reset();
        discardPending();
        exchange.body().responseReset(); // headers are gone too, a declared Content-Length with them
    }

    private void discardPending() {
        if (bodyWriter != null) {
            bodyWriter.discard();
        }
        exchange.body().bufferDiscarded();
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        takeOverBody();
        super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        takeOverBody();
        super.sendError(sc);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        takeOverBody();
        super.sendRedirect(location);
    }

    // the three overloads below are Servlet 6.1; on a 6.0 container nothing calls them

    @Override
    public void sendRedirect(String location, int sc) throws IOException {
        takeOverBody();
        super.sendRedirect(location, sc);
    }

    @Override
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        takeOverBody();
        super.sendRedirect(location, clearBuffer);
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        takeOverBody();
        super.sendRedirect(location, sc, clearBuffer);
    }

    /** After sendError/sendRedirect the container writes (or closes) the body, not the application. */
    private void takeOverBody() {
        exchange.markBodyTakenOver();
        discardPending();
    }

    /** The stream the application wrote through, or {@code null} if it wrote nothing through this response. */
    TrackingOutputStream stream() {
        return stream;
    }

    Exchange exchange() {
        return exchange;
    }
}
