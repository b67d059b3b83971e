package dev.abortguard.idempotency.servlet.internal;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request whose body was read whole before the handler runs (the fingerprint needs its digest
 * before the key is claimed), given to the handler again from memory.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class BufferedRequest extends HttpServletRequestWrapper {

    private final byte[] body;
    private ServletInputStream stream;
    private BufferedReader reader;
    private Map<String, String[]> formParameters;

    /**
     * Wraps.
     *
     * @param request the container's request
     * @param body its whole body
     */
    public BufferedRequest(HttpServletRequest request, byte[] body) {
        super(request);
        this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
        if (reader != null) {
            throw new IllegalStateException("getReader() has already been called for this request");
        }
        if (stream == null) {
            stream = new BodyStream(new ByteArrayInputStream(body));
        }
        return stream;
    }

    @Override
    public BufferedReader getReader() {
        if (reader == null) {
            if (stream != null) {
                throw new IllegalStateException("getInputStream() has already been called for this request");
            }
            reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset()));
        }
        return reader;
    }

    @Override
    public int getContentLength() {
        return body.length;
    }

    @Override
    public long getContentLengthLong() {
        return body.length;
    }

    // The container parses a form body from its own input stream, which the filter has already read:
    // the parameters are parsed here from the held body instead, query string first (as the servlet
    // specification orders them).
    @Override
    public String getParameter(String name) {
        if (!isForm()) {
            return super.getParameter(name);
        }
        String[] values = form().get(name);
        return values == null ? null : values[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return isForm() ? form() : super.getParameterMap();
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return isForm() ? Collections.enumeration(form().keySet()) : super.getParameterNames();
    }

    @Override
    public String[] getParameterValues(String name) {
        if (!isForm()) {
            return super.getParameterValues(name);
        }
        String[] values = form().get(name);
        return values == null ? null : values.clone();
    }

    private boolean isForm() {
        String type = getContentType();
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    private Map<String, String[]> form() {
        if (formParameters == null) {
            Map<String, List<String>> values = new LinkedHashMap<>();
            Charset charset = getCharacterEncoding() == null ? StandardCharsets.UTF_8 : charset();
            parse(getQueryString(), StandardCharsets.UTF_8, values);
            parse(new String(body, StandardCharsets.ISO_8859_1), charset, values);
            Map<String, String[]> result = new LinkedHashMap<>();
            values.forEach((k, v) -> result.put(k, v.toArray(String[]::new)));
            formParameters = Collections.unmodifiableMap(result);
        }
        return formParameters;
    }

    private static void parse(String encoded, Charset charset, Map<String, List<String>> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), charset);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), charset);
            if (name != null && value != null) {
                into.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
    }

    private static String decode(String part, Charset charset) {
        try {
            // the body was read as ISO-8859-1 so that each byte is one char; percent escapes decode in the
            // request's charset, plain bytes are re-read in it
            String bytesAsText = new String(part.getBytes(StandardCharsets.ISO_8859_1), charset);
            return URLDecoder.decode(bytesAsText, charset);
        } catch (IllegalArgumentException malformed) {
            // a malformed escape: the container drops such a pair too
            return null;
        }
    }

    private Charset charset() {
        return ServletCharsets.orDefault(getCharacterEncoding());
    }

    /**
     * Reads a request body whole, up to a limit.
     *
     * @param request the request
     * @param limit the most bytes accepted
     * @return the body, or {@code null} when it is longer than {@code limit}
     * @throws IOException when reading fails (the client went away mid-upload, say)
     */
    public static byte[] readBody(HttpServletRequest request, int limit) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            return null;
        }
        var out = new java.io.ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
        byte[] chunk = new byte[8192];
        ServletInputStream in = request.getInputStream();
        int n;
        while ((n = in.read(chunk)) != -1) {
            if (out.size() + n > limit) {
                return null;
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    private static final class BodyStream extends ServletInputStream {
        private final ByteArrayInputStream in;

        BodyStream(ByteArrayInputStream in) {
            this.in = in;
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            try {
                listener.onDataAvailable();
                listener.onAllDataRead();
            } catch (IOException e) {
                listener.onError(e);
            }
        }
    }
}
