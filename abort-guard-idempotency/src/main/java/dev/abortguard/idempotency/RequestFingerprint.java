package dev.abortguard.idempotency;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a key is bound to: the request's method, path and the SHA-256 of its body. A repeat with the
 * same key must carry the same fingerprint to be answered from the record (409 or the stored
 * response); one with another fingerprint is a different request reusing a key, answered 422, so a
 * client bug never gets another request's response replayed.
 *
 * <p>The body is kept only as its digest: a store needs to compare bodies, not keep them. The
 * method and path are kept as they are so that a 422 can say what differed.
 *
 * @param method the request method, e.g. {@code POST} (1-32 characters, no whitespace or control characters)
 * @param path the request path as the filter chose it (1-{@value #MAX_PATH_LENGTH} characters, no control characters)
 * @param bodySha256 the SHA-256 of the request body, 64 lower-case hex digits
 */
public record RequestFingerprint(String method, String path, String bodySha256) {

    /** The longest path a store keeps (the JDBC schema's column width). */
    public static final int MAX_PATH_LENGTH = 2048;

    private static final int MAX_METHOD_LENGTH = 32;

    /**
     * Validates the parts.
     *
     * @param method see the record
     * @param path see the record
     * @param bodySha256 see the record
     * @throws NullPointerException when a part is null
     * @throws IllegalArgumentException when a part is out of its range
     */
    public RequestFingerprint {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(bodySha256, "bodySha256");
        if (method.isEmpty() || method.length() > MAX_METHOD_LENGTH || !method.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("method must be 1-" + MAX_METHOD_LENGTH + " visible ASCII characters");
        }
        if (path.isEmpty() || path.length() > MAX_PATH_LENGTH || path.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("path must be 1-" + MAX_PATH_LENGTH + " characters without control characters");
        }
        if (bodySha256.length() != 64 || !bodySha256.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("bodySha256 must be 64 lower-case hex digits");
        }
    }

    /**
     * The fingerprint of a request whose whole body is at hand.
     *
     * @param method the request method
     * @param path the request path
     * @param body the request body (empty for none)
     * @return the fingerprint
     */
    public static RequestFingerprint of(String method, String path, byte[] body) {
        Objects.requireNonNull(body, "body");
        return ofDigest(method, path, sha256().digest(body));
    }

    /**
     * The fingerprint from a SHA-256 digest the caller computed while streaming the body.
     *
     * @param method the request method
     * @param path the request path
     * @param sha256 the 32-byte digest
     * @return the fingerprint
     */
    public static RequestFingerprint ofDigest(String method, String path, byte[] sha256) {
        Objects.requireNonNull(sha256, "sha256");
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + sha256.length);
        }
        return new RequestFingerprint(method, path, HexFormat.of().formatHex(sha256));
    }

    /**
     * A fresh SHA-256 digest, for a caller that streams the body through it.
     *
     * @return a new digest
     */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256 (MessageDigest's Javadoc)
            throw new IllegalStateException(e);
        }
    }
}
