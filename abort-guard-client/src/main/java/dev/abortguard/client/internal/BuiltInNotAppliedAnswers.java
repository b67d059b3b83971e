package dev.abortguard.client.internal;

import dev.abortguard.client.NotAppliedAnswer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.H2StreamResetException;

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
    },
    /**
     * Decided on the failure, not on a response (see {@link ResponseChecks#refusal}): its {@code
     * proves} is false, its presence in the list turns the check on.
     */
    REFUSED_STREAM("HTTP/2 RST_STREAM REFUSED_STREAM") {
        @Override
        public boolean proves(HttpResponse head, byte[] body) {
            return false;
        }
    };

    /**
     * Whether {@code failure} is HttpCore's report of an HTTP/2 stream reset with the error code
     * {@code REFUSED_STREAM} (RFC 9113 section 8.7: the stream was refused before any application
     * processing). Decided by the exception's type and error code alone; every other reset code is
     * no proof. Only the failure itself is matched, not its causes.
     */
    static boolean refusesStream(Throwable failure) {
        return failure instanceof H2StreamResetException
                && ((H2StreamResetException) failure).getCode() == H2Error.REFUSED_STREAM.getCode();
    }

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
