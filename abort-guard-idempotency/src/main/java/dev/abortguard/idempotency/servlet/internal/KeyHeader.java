package dev.abortguard.idempotency.servlet.internal;

import dev.abortguard.idempotency.IdempotencyKey;

/**
 * Reads the key from its header value as abort-guard-client sends it: a structured-field string
 * ({@code "k-1"}, the IETF draft's form, where only {@code \"} and {@code \\} are escaped) or a bare
 * token ({@code k-1}). The result is a key or the reason it is not one; never an exception, because
 * a hostile header is an answer (400), not a failure.
 *
 * <p>Internal, not API: it may change without notice in any release.
 */
public final class KeyHeader {

    /** What reading the header gave: a key, or a problem to answer 400 with. */
    public sealed interface Parsed {
    }

    /** A valid key. @param key the key */
    public record Valid(IdempotencyKey key) implements Parsed {
    }

    /** Not a valid key. @param problem why, without echoing the value */
    public record Invalid(String problem) implements Parsed {
    }

    private KeyHeader() {
    }

    /**
     * Parses one header value.
     *
     * @param raw the header value as the container gives it
     * @return the key or the problem
     */
    public static Parsed parse(String raw) {
        String value = raw.strip();
        if (value.length() > IdempotencyKey.MAX_LENGTH * 2 + 2) {
            return new Invalid("longer than " + IdempotencyKey.MAX_LENGTH + " characters: " + value.length());
        }
        String unquoted;
        if (value.startsWith("\"")) {
            if (value.length() < 2 || !value.endsWith("\"")) {
                return new Invalid("not a valid quoted string: no closing quote");
            }
            StringBuilder out = new StringBuilder(value.length());
            for (int i = 1; i < value.length() - 1; i++) {
                char c = value.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= value.length() - 1) {
                        return new Invalid("not a valid quoted string: a backslash ends it");
                    }
                    char next = value.charAt(++i);
                    if (next != '"' && next != '\\') {
                        return new Invalid("not a valid quoted string: only \\\" and \\\\ may be escaped, at index " + i);
                    }
                    out.append(next);
                } else if (c == '"') {
                    return new Invalid("not a valid quoted string: an unescaped quote at index " + i);
                } else {
                    out.append(c);
                }
            }
            unquoted = out.toString();
        } else {
            if (value.indexOf(' ') >= 0 || value.indexOf('\t') >= 0) {
                return new Invalid("a bare key must not contain whitespace (quote it)");
            }
            unquoted = value;
        }
        String problem = IdempotencyKey.problem(unquoted);
        return problem == null ? new Valid(new IdempotencyKey(unquoted)) : new Invalid(problem);
    }
}
