package dev.abortguard.client;

import java.util.function.Supplier;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * Reads and writes the idempotency key header. A key the caller already put on the request wins
 * (the caller may need it for its own records); otherwise the generator makes one. With quoting
 * on, the value is written as an RFC 8941 string, {@code "key"}, as the IETF {@code
 * Idempotency-Key} draft specifies; many payment APIs (Stripe, Toss) expect the bare token, which
 * is the default.
 */
final class IdempotencyKeys {

    private final String headerName;
    private final boolean quote;
    private final Supplier<String> generator;

    IdempotencyKeys(String headerName, boolean quote, Supplier<String> generator) {
        this.headerName = headerName;
        this.quote = quote;
        this.generator = generator;
    }

    String headerName() {
        return headerName;
    }

    /** The caller's key from the request, unquoted, or {@code null}. */
    String existingKey(HttpRequest request) {
        Header header = request.getFirstHeader(headerName);
        if (header == null || header.getValue() == null || header.getValue().isBlank()) {
            return null;
        }
        return unquote(header.getValue().trim());
    }

    /** A fresh key from the generator, validated because it goes into a header verbatim. */
    String newKey() {
        String key = generator.get();
        if (key == null || key.isEmpty()) {
            throw new IllegalStateException("idempotencyKeyGenerator returned an empty key");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalStateException(
                        "idempotencyKeyGenerator returned a key with a character not allowed in a header: "
                                + key);
            }
        }
        return key;
    }

    /**
     * The request's headers with the key header for {@code key} appended, for a request that has no
     * usable key: a blank key header the caller left on it is dropped, so that exactly one goes out.
     */
    Header[] withKey(Header[] headers, String key) {
        int blank = 0;
        for (Header header : headers) {
            if (header.getName().equalsIgnoreCase(headerName)) {
                blank++;
            }
        }
        Header[] out = new Header[headers.length - blank + 1];
        int i = 0;
        for (Header header : headers) {
            if (blank == 0 || !header.getName().equalsIgnoreCase(headerName)) {
                out[i++] = header;
            }
        }
        out[i] = new BasicHeader(headerName, headerValue(key));
        return out;
    }

    /** The header value that carries {@code key}. */
    String headerValue(String key) {
        if (!quote) {
            return key;
        }
        return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            StringBuilder out = new StringBuilder(value.length() - 2);
            for (int i = 1; i < value.length() - 1; i++) {
                char c = value.charAt(i);
                if (c == '\\' && i + 1 < value.length() - 1) {
                    c = value.charAt(++i);
                }
                out.append(c);
            }
            return out.toString();
        }
        return value;
    }
}
