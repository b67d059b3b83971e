package dev.abortguard.idempotency;

import java.util.Objects;

/**
 * A client's idempotency key, unquoted, as a store keys its records by it.
 *
 * <p>The rule is the one abort-guard-client applies before it sends a key, so that every key that
 * client sends is accepted here and nothing else is: 1 to {@value #MAX_LENGTH} characters of
 * printable ASCII, U+0020-U+007E (a bare header value has no space, a quoted one may; after
 * unquoting both fit this range). Anything else is not a key a well-behaved client sends, and a
 * store that accepted it would key records by characters HTTP stacks rewrite on the way.
 *
 * @param value the key, exactly as the client meant it (unquoted)
 */
public record IdempotencyKey(String value) {

    /** The longest key, in characters: the client's limit (and Stripe's). */
    public static final int MAX_LENGTH = 255;

    /**
     * Validates the key.
     *
     * @param value the key, unquoted
     * @throws NullPointerException when {@code value} is null
     * @throws IllegalArgumentException when {@code value} is not a valid key; the message says why
     */
    public IdempotencyKey {
        Objects.requireNonNull(value, "value");
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException("invalid idempotency key (" + problem + ")");
        }
    }

    /**
     * The key {@code value}, validated.
     *
     * @param value the unquoted key
     * @return the key
     * @throws IllegalArgumentException when it is not a valid key
     */
    public static IdempotencyKey of(String value) {
        return new IdempotencyKey(value);
    }

    /**
     * What is wrong with {@code value} as a key, or {@code null} when it is a valid one; for a caller
     * (the filter) that answers 400 with the reason instead of catching an exception.
     *
     * @param value the unquoted key
     * @return a short description of the problem, or {@code null}
     */
    public static String problem(String value) {
        if (value == null) {
            return "missing";
        }
        if (value.isEmpty()) {
            return "empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters: " + value.length();
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return String.format("character U+%04X at index %d is not printable ASCII", (int) c, i);
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return value;
    }
}
