package dev.abortguard.idempotency;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The final response of a request, as a store keeps it for replay: a repeat must get exactly what
 * the first request's client would have got, so the headers keep their order (and repeated names)
 * and the body is kept byte for byte.
 *
 * <p>Immutable: the body is copied in and out, so neither the handler's buffer nor a replaying
 * caller can change the stored bytes. Equality compares the body's content.
 *
 * @param status the HTTP status code, 100-599
 * @param headers the headers to replay, in order (the filter leaves out hop-by-hop ones)
 * @param body the body bytes (empty for none)
 * @param fingerprint the fingerprint of the request this responds to; it must be the one the key was claimed with
 */
public record StoredResponse(int status, List<Header> headers, byte[] body, RequestFingerprint fingerprint) {

    /**
     * Validates and copies.
     *
     * @param status see the record
     * @param headers see the record
     * @param body see the record (copied)
     * @param fingerprint see the record
     * @throws NullPointerException when an argument or a header is null
     * @throws IllegalArgumentException when the status is out of range
     */
    public StoredResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100-599: " + status);
        }
        headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
        body = Objects.requireNonNull(body, "body").clone();
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    /**
     * A copy of the body.
     *
     * @return the body bytes
     */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /**
     * The body's length, without copying it.
     *
     * @return the number of body bytes
     */
    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResponse other
                && status == other.status
                && headers.equals(other.headers)
                && Arrays.equals(body, other.body)
                && fingerprint.equals(other.fingerprint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body), fingerprint);
    }

    @Override
    public String toString() {
        String head = HexFormat.of().formatHex(body, 0, Math.min(body.length, 16));
        return "StoredResponse[status=" + status + ", headers=" + headers.size() + ", body=" + body.length
                + " bytes (" + head + (body.length > 16 ? "..." : "") + "), fingerprint=" + fingerprint + "]";
    }

    /**
     * One response header. A name or value with CR, LF or NUL is refused: replayed verbatim it would
     * split the response.
     *
     * @param name the header name, as the handler wrote it
     * @param value the header value
     */
    public record Header(String name, String value) {

        /**
         * Validates.
         *
         * @param name see the record
         * @param value see the record
         * @throws NullPointerException when name or value is null
         * @throws IllegalArgumentException when the name is empty or either contains CR, LF or NUL (or the name a colon)
         */
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty() || name.indexOf(':') >= 0 || splits(name)) {
                throw new IllegalArgumentException("invalid header name: " + name.replaceAll("[\\r\\n\\x00]", "_"));
            }
            if (splits(value)) {
                throw new IllegalArgumentException("header " + name + ": value contains CR, LF or NUL");
            }
        }

        private static boolean splits(String s) {
            return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\0') >= 0;
        }
    }
}
