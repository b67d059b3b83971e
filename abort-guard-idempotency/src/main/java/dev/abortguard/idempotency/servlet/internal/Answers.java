package dev.abortguard.idempotency.servlet.internal;

import dev.abortguard.idempotency.StoredResponse;
import dev.abortguard.idempotency.servlet.IdempotencyHeaders;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes the filter's own answers (RFC 9457 problem details), replays stored responses, and takes a
 * handler's headers for storing.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class Answers {

    /**
     * Headers that describe one connection or one transfer, not the response: never stored, never
     * replayed (RFC 9110 section 7.6.1), and the ones the container computes again for every response.
     */
    private static final Set<String> NOT_STORED = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer",
            "transfer-encoding", "upgrade", "content-length", "content-type", "date", "server",
            IdempotencyHeaders.REPLAYED.toLowerCase(Locale.ROOT), IdempotencyHeaders.STATUS.toLowerCase(Locale.ROOT),
            IdempotencyHeaders.RESPONSE_STATUS.toLowerCase(Locale.ROOT),
            IdempotencyHeaders.LEASE_UNTIL.toLowerCase(Locale.ROOT));

    private Answers() {
    }

    /**
     * Answers with a problem document.
     *
     * @param response the response (not committed)
     * @param status the status
     * @param title a short, fixed title
     * @param detail the detail, with nothing the client sent echoed unchecked
     * @throws IOException when writing fails
     */
    public static void problem(HttpServletResponse response, int status, String title, String detail) throws IOException {
        String json = "{\"type\":\"about:blank\",\"status\":" + status + ",\"title\":" + quote(title)
                + ",\"detail\":" + quote(detail) + "}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /**
     * A {@code Retry-After} in whole seconds until {@code until}, at least 1.
     *
     * @param now the time now
     * @param until the time to wait for
     * @return the header value
     */
    public static String retryAfter(Instant now, Instant until) {
        long millis = Duration.between(now, until).toMillis();
        return Long.toString(Math.max(1, (millis + 999) / 1000));
    }

    /**
     * Writes a stored response: its status, its headers in order, its body.
     *
     * @param response the response (not committed)
     * @param status the status to answer with: the stored one for a replay, 200 on the status endpoint
     * @param stored what was stored
     * @param extraHeaders name/value pairs to add after the stored headers
     * @throws IOException when writing fails
     */
    public static void replay(HttpServletResponse response, int status, StoredResponse stored, String... extraHeaders)
            throws IOException {
        response.setStatus(status);
        for (StoredResponse.Header header : stored.headers()) {
            response.addHeader(header.name(), header.value());
        }
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            response.setHeader(extraHeaders[i], extraHeaders[i + 1]);
        }
        byte[] body = stored.body();
        response.setContentLength(body.length);
        if (body.length > 0) {
            response.getOutputStream().write(body);
        }
    }

    /**
     * The headers of a handler's response worth replaying, in the container's order: the content
     * type first (some containers keep it apart from the other headers), then every other header
     * and each of its values, minus the hop-by-hop ones and abort-guard's own.
     *
     * @param response the container's response
     * @return the headers to store
     */
    public static List<StoredResponse.Header> storedHeaders(HttpServletResponse response) {
        List<StoredResponse.Header> headers = new ArrayList<>();
        String type = response.getContentType();
        if (type != null) {
            headers.add(new StoredResponse.Header("Content-Type", type));
        }
        // Tomcat lists a name once per header line: each name's values are taken once
        Set<String> seen = new HashSet<>();
        Collection<String> names = response.getHeaderNames();
        for (String name : names == null ? List.<String>of() : new ArrayList<>(names)) {
            if (name == null || NOT_STORED.contains(name.toLowerCase(Locale.ROOT)) || !seen.add(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            Collection<String> values = response.getHeaders(name);
            for (String value : values == null ? List.<String>of() : values) {
                if (value != null) {
                    headers.add(new StoredResponse.Header(name, value));
                }
            }
        }
        return headers;
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
