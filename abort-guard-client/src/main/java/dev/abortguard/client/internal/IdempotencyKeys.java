package dev.abortguard.client.internal;

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
 *
 * <p>Every key is one HttpClient sends byte for byte, because the key the callbacks, the handler
 * and the logs see must be the key the server saw. HttpClient does not send every character as it
 * is: it writes CR and LF as spaces and characters it cannot encode as {@code ?}, so a caller's
 * {@code ключ-1} and {@code счёт-1} would both reach the server as {@code ????-1}. A key is
 * therefore 1 to {@value #MAX_KEY_LENGTH} characters of printable ASCII: U+0021-U+007E for a bare
 * key, U+0020-U+007E inside a quoted one (where {@code "} and {@code \} are escaped with {@code
 * \}). A caller's header value may be written either way whatever the configured form (it is sent
 * as the caller wrote it); one that is neither is refused with an {@link IllegalArgumentException}
 * before anything is sent.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class IdempotencyKeys {

    /**
     * The longest key, in characters, after unquoting. Stripe's limit, and ample for a UUID (36) or
     * a ULID (26); a longer key is more likely a payload put in the wrong header than a key.
     */
    public static final int MAX_KEY_LENGTH = 255;

    private final String headerName;
    private final boolean quote;
    private final Supplier<String> generator;

    public IdempotencyKeys(String headerName, boolean quote, Supplier<String> generator) {
        this.headerName = headerName;
        this.quote = quote;
        this.generator = generator;
    }

    /**
     * The caller's key from the request, unquoted, or {@code null} when the request has none (no
     * header, or a blank one, which {@link #withKey} replaces).
     *
     * @throws IllegalArgumentException when the header's value is not a key HttpClient sends as it is
     */
    public String existingKey(HttpRequest request) {
        Header header = request.getFirstHeader(headerName);
        if (header == null || header.getValue() == null || header.getValue().isBlank()) {
            return null;
        }
        // Only the optional whitespace around a field value (SP, HTAB) is not part of it; a CR or LF
        // at an end is part of what HttpClient would rewrite, so it is judged, not trimmed.
        String value = stripOws(header.getValue());
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(headerName + ": the request's key cannot be sent as it is ("
                    + problem + "); key as received, cleaned: " + LogSafe.clean(value));
        }
        return value.startsWith("\"") ? unquote(value) : value;
    }

    /** A fresh key from the generator, validated because it goes into a header verbatim. */
    public String newKey() {
        String key = generator.get();
        if (key == null || key.isEmpty()) {
            throw new IllegalStateException("idempotencyKeyGenerator returned an empty key");
        }
        String problem = key.length() > MAX_KEY_LENGTH ? tooLong(key.length()) : bareProblem(key);
        if (problem != null) {
            throw new IllegalStateException("idempotencyKeyGenerator returned a key not allowed in a header ("
                    + problem + "): " + LogSafe.clean(key));
        }
        return key;
    }

    /** What is wrong with a caller's header value, or {@code null} when it is a valid key. */
    private static String problem(String value) {
        if (!value.startsWith("\"")) {
            return value.length() > MAX_KEY_LENGTH ? tooLong(value.length()) : bareProblem(value);
        }
        if (value.length() < 2 || !value.endsWith("\"")) {
            return "not a valid quoted string: no closing quote";
        }
        int length = 0;
        for (int i = 1; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                char next = i + 1 < value.length() - 1 ? value.charAt(i + 1) : 0;
                if (next != '"' && next != '\\') {
                    return "not a valid quoted string: only \\\" and \\\\ may be escaped, at index " + i;
                }
                i++;
            } else if (c == '"') {
                return "not a valid quoted string: unescaped quote at index " + i;
            } else if (c < 0x20 || c > 0x7e) {
                return notPrintable(c, i);
            }
            length++;
        }
        if (length == 0) {
            return "empty";
        }
        return length > MAX_KEY_LENGTH ? tooLong(length) : null;
    }

    private static String bareProblem(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return notPrintable(c, i);
            }
        }
        return null;
    }

    private static String notPrintable(char c, int index) {
        return String.format("character U+%04X at index %d is not printable ASCII", (int) c, index);
    }

    private static String tooLong(int length) {
        return "longer than " + MAX_KEY_LENGTH + " characters: " + length;
    }

    private static String stripOws(String value) {
        int from = 0;
        int to = value.length();
        while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
            to--;
        }
        return value.substring(from, to);
    }

    /**
     * The key of one logical request and the headers each of its attempts sends, the same for the
     * classic and the async client: the caller's key when the request carries one (headers as they
     * are), otherwise a new key added to the caller's headers.
     *
     * @throws IllegalArgumentException when the caller's key is not one HttpClient sends as it is
     * @throws IllegalStateException when the generator returns an unusable key
     */
    public Keyed keyed(HttpRequest original) {
        String existing = existingKey(original);
        String key = existing != null ? existing : newKey();
        return new Keyed(key, existing != null ? original.getHeaders() : withKey(original.getHeaders(), key));
    }

    /**
     * A logical request's key and the headers that carry it.
     *
     * @param key the key, unquoted
     * @param headers the headers every attempt sends; not to be modified
     */
    public record Keyed(String key, Header[] headers) {}

    /**
     * The request's headers with the key header for {@code key} appended, for a request that has no
     * usable key: a blank key header the caller left on it is dropped, so that exactly one goes out.
     */
    public Header[] withKey(Header[] headers, String key) {
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
    public String headerValue(String key) {
        if (!quote) {
            return key;
        }
        return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The key inside a quoted string; {@code value} is one ({@link #problem} found nothing wrong). */
    public static String unquote(String value) {
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
