package dev.abortguard.client.internal;

import dev.abortguard.client.NotAppliedAnswer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpResponse;

/**
 * The built-in {@link NotAppliedAnswer}s, with names for the decision trail.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public enum BuiltInNotAppliedAnswers implements NotAppliedAnswer {
    FASTHTTP("fasthttp Server.Concurrency limit") {
        private final byte[] text = NotAppliedAnswer.FASTHTTP_CONCURRENCY_LIMIT_TEXT.getBytes(StandardCharsets.US_ASCII);

        @Override
        public boolean proves(HttpResponse head, byte[] body) {
            return head.getCode() == 503
                    && body != null
                    && Arrays.equals(body, text)
                    && hasToken(head.getFirstHeader(HttpHeaders.CONNECTION), "close")
                    && hasToken(head.getFirstHeader(HttpHeaders.CONTENT_TYPE), "text/plain");
        }
    },
    FINAGLE("finagle-http-nack") {
        @Override
        public boolean proves(HttpResponse head, byte[] body) {
            return head.containsHeader("finagle-http-nack");
        }
    };

    private final String description;

    BuiltInNotAppliedAnswers(String description) {
        this.description = description;
    }

    private static boolean hasToken(Header header, String token) {
        if (header == null || header.getValue() == null) {
            return false;
        }
        String value = header.getValue().toLowerCase(Locale.ROOT);
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).trim().equals(token);
    }

    @Override
    public String toString() {
        return description;
    }
}
