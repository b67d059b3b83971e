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
    },
    /**
     * Decided on the wire, not on the response alone (see {@link ResponseChecks}): its {@code
     * proves} is false, its presence in the list turns the wire check on.
     */
    EARLY_REFUSAL("an error answer with Connection: close before the request body was sent") {
        @Override
        public boolean proves(HttpResponse head, byte[] body) {
            return false;
        }
    };

    /**
     * Whether {@code head}, read after the connection stopped sending the request body because of
     * it, refuses the request: a 4xx/5xx that closes the connection. A server that answers before it
     * has read the body, and closes, did not process the request (a 2xx might have been processed
     * from a partial body and proves nothing).
     */
    static boolean refusesEarly(HttpResponse head) {
        return head.getCode() >= 400 && TrackedConnection.hasCloseToken(connectionHeader(head));
    }

    private static String connectionHeader(HttpResponse head) {
        Header connection = head.getFirstHeader(HttpHeaders.CONNECTION);
        return connection == null || connection.getValue() == null ? "" : connection.getValue();
    }

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
